"""预警线索 from the village's side: verifying or dismissing with what was found (once, in one's own
area, audited), the lead pages and their filters, the run and policy pages, and the API — each user
seeing only the households of their own area."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_run_next
from fanpin.core.models import AuditEvent, Job
from fanpin.core.models.job import JobStatus
from fanpin.monitoring.choices import DEFAULT_PARAMS
from fanpin.monitoring.models import Lead, MonitoringRun, PolicySetting
from fanpin.monitoring.services.leads import lead_handle
from fanpin.monitoring.tests.world import (
    CHAKOU,
    GUANSHAN,
    PINGDING,
    QLZ,
    YUXIAN,
    household,
    policy_2025,
    run_month,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_user(make_user):
    return make_user("county", PINGDING, username="pd_county")


@pytest.fixture
def leads(db):
    """Leads of 秋林庄村 (Q…), 岔口村 (C1), 冠山镇 (G1) and 盂县 (Y1), named by their heads."""

    def lead(code, village, head, month, category="边缘易致贫户", status="open"):
        h = household(code, village=village, head=head)
        return Lead.objects.create(
            household=h,
            year=2025,
            month=month,
            suggested_category=category,
            risk_types="因病",
            reason=f"{head}户的预警原因",
            status=status,
        )

    return {
        "Q1": lead("Q1", QLZ, "王秋林", 12),
        "Q2": lead("Q2", QLZ, "李秋林", 11, "突发严重困难户", "verified"),
        "Q3": lead("Q3", QLZ, "赵秋林", 12, "突发严重困难户"),
        "C1": lead("C1", CHAKOU, "张岔口", 12),
        "G1": lead("G1", GUANSHAN, "刘冠山", 12, status="dismissed"),
        "Y1": lead("Y1", YUXIAN, "孙盂县", 12),
    }


def names(leads_dict, *keys) -> set[int]:
    return {leads_dict[k].pk for k in keys}


# --- lead_handle -------------------------------------------------------------------------------


def test_the_village_verifies_a_lead_with_what_it_found(leads, village_user):
    lead = lead_handle(actor=village_user, lead=leads["Q1"], status="verified", note="入户核实：情况属实")

    lead.refresh_from_db()
    assert lead.status == "verified"
    assert lead.handled_by == village_user
    assert lead.handled_at is not None
    assert lead.handling_note == "入户核实：情况属实"
    event = AuditEvent.objects.get(action="lead.verified")
    assert event.subject == "Q1"  # 户编号
    assert event.area_code == QLZ
    assert event.actor == village_user
    assert event.note == "入户核实：情况属实"


def test_the_village_dismisses_a_lead_with_a_note(leads, village_user):
    lead_handle(actor=village_user, lead=leads["Q3"], status="dismissed", note="已外出务工，收入稳定")

    lead = Lead.objects.get(pk=leads["Q3"].pk)
    assert lead.status == "dismissed"
    assert AuditEvent.objects.get(action="lead.dismissed").subject == "Q3"


@pytest.mark.parametrize("note", ["", "   ", "是"])
def test_a_result_without_a_note_is_refused(leads, village_user, note):
    with pytest.raises(ApplicationError) as info:
        lead_handle(actor=village_user, lead=leads["Q1"], status="verified", note=note)

    assert "请填写核实情况" in info.value.message
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"
    assert not AuditEvent.objects.filter(action__startswith="lead.").exists()


def test_a_lead_is_handled_once(leads, village_user):
    lead_handle(actor=village_user, lead=leads["Q1"], status="verified", note="入户核实：情况属实")

    with pytest.raises(ApplicationError) as info:
        lead_handle(actor=village_user, lead=leads["Q1"], status="dismissed", note="再次核实：不属实")

    assert "不能重复处理" in info.value.message
    lead = Lead.objects.get(pk=leads["Q1"].pk)
    assert lead.status == "verified" and lead.handling_note == "入户核实：情况属实"
    assert AuditEvent.objects.filter(action__startswith="lead.").count() == 1


def test_an_unknown_result_is_refused(leads, village_user):
    with pytest.raises(ApplicationError):
        lead_handle(actor=village_user, lead=leads["Q1"], status="open", note="入户核实")
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"


@pytest.mark.parametrize("role,area", [("village", CHAKOU), ("township", "140321100"), ("county", "140322")])
def test_a_user_outside_the_area_cannot_handle_the_lead(leads, make_user, role, area):
    with pytest.raises(PermissionDenied):
        lead_handle(actor=make_user(role, area), lead=leads["Q1"], status="verified", note="入户核实")
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"


# --- lead pages ---------------------------------------------------------------------------------


def listed(client, **query) -> set[int]:
    response = client.get("/monitoring/leads/", query)
    assert response.status_code == 200
    return {lead.pk for lead in response.context["page"].object_list}


def test_the_village_sees_only_its_own_leads(leads, village_user, client_for):
    client = client_for(village_user)

    assert listed(client) == names(leads, "Q1", "Q2", "Q3")
    page = client.get("/monitoring/leads/").content.decode()
    assert "王秋林" in page and "王秋林户的预警原因" in page
    for other in ("张岔口", "刘冠山", "孙盂县"):
        assert other not in page


def test_the_county_filters_leads_by_month_status_and_category(leads, county_user, client_for):
    client = client_for(county_user)

    assert listed(client) == names(leads, "Q1", "Q2", "Q3", "C1", "G1")
    assert listed(client, month="2025-11") == names(leads, "Q2")
    assert listed(client, month="2025-12", status="open") == names(leads, "Q1", "Q3", "C1")
    assert listed(client, status="dismissed") == names(leads, "G1")
    assert listed(client, suggested_category="突发严重困难户") == names(leads, "Q2", "Q3")
    assert listed(client, area=CHAKOU) == names(leads, "C1")
    assert listed(client, area=YUXIAN) == set()  # another county: nothing, whatever is asked


def test_the_village_records_the_result_on_the_lead_page(leads, village_user, client_for):
    client = client_for(village_user)
    url = f"/monitoring/leads/{leads['Q1'].pk}/"

    response = client.post(
        url, {"status": "verified", "note": "入户核实：家中两人患病，情况属实"}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="lead-status">已核实' in page
    assert "入户核实：家中两人患病，情况属实" in page
    lead = Lead.objects.get(pk=leads["Q1"].pk)
    assert lead.status == "verified" and lead.handled_by == village_user


def test_the_lead_page_keeps_a_result_without_a_note_open(leads, village_user, client_for):
    response = client_for(village_user).post(f"/monitoring/leads/{leads['Q1'].pk}/", {"status": "verified"})

    assert response.status_code == 200
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"


def test_an_inspector_may_read_a_lead_but_not_record_a_result(leads, make_user, client_for):
    client = client_for(make_user("inspector", "1403"))
    url = f"/monitoring/leads/{leads['Q1'].pk}/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "dismissed", "note": "督查不应能处理"})

    assert response.status_code == 403
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"


def test_another_villages_lead_is_not_found(leads, make_user, client_for):
    client = client_for(make_user("village", CHAKOU))

    assert client.get(f"/monitoring/leads/{leads['Q1'].pk}/").status_code == 404
    response = client.post(f"/monitoring/leads/{leads['Q1'].pk}/", {"status": "dismissed", "note": "越权"})
    assert response.status_code == 404
    assert Lead.objects.get(pk=leads["Q1"].pk).status == "open"


# --- run pages ----------------------------------------------------------------------------------


@pytest.fixture
def below_range(db):
    """One 秋林庄村 household at 6,000 per person in 2025 and the 2025 policy."""
    policy_2025()
    return household("R1", head="周秋林", monthly={"wage": "1000.00"})


def test_the_county_runs_the_monthly_monitoring_from_the_page(below_range, county_user, client_for):
    client = client_for(county_user)

    response = client.post("/monitoring/runs/", {"area": PINGDING, "month": "2025-12"})

    job = Job.objects.get(kind="monitoring.run")
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    run = MonitoringRun.objects.get()
    assert (run.area_code, run.year, run.month, run.status) == (PINGDING, 2025, 12, "queued")
    assert job.params == {"run": run.pk}

    finished = job_run_next()

    assert finished.pk == job.pk and finished.status == JobStatus.SUCCEEDED, finished.error
    page = client.get(f"/monitoring/runs/{run.pk}/").content.decode()
    assert 'id="run-status">已完成<' in page
    assert 'id="run-leads">1 条<' in page
    lead = Lead.objects.get(run=run)
    assert lead.household == below_range
    listing = client.get("/monitoring/leads/", {"month": "2025-12"}).content.decode()
    assert "周秋林" in listing and "人均纯收入 6,000.00 元" in listing


def test_the_run_page_refuses_another_county_and_a_bad_month(below_range, county_user, client_for):
    client = client_for(county_user)

    other = client.post("/monitoring/runs/", {"area": "140322", "month": "2025-12"})
    bad = client.post("/monitoring/runs/", {"area": PINGDING, "month": "2025-13"})
    unfinished = client.post("/monitoring/runs/", {"area": PINGDING, "month": f"{date.today():%Y-%m}"})

    assert other.status_code == 200 and "不在您的管辖范围内" in other.content.decode()
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()
    assert unfinished.status_code == 200 and "尚未结束" in unfinished.content.decode()
    assert not MonitoringRun.objects.exists() and not Job.objects.exists()


def test_a_village_user_cannot_run_the_monitoring_from_the_page(below_range, village_user, client_for):
    response = client_for(village_user).post("/monitoring/runs/", {"area": QLZ, "month": "2025-12"})

    assert response.status_code == 403
    assert not MonitoringRun.objects.exists()


# --- policy page --------------------------------------------------------------------------------


def policy_form(year="2023", threshold="7300", **extra):
    data = {"year": year, "threshold": threshold, "effective_from": "2023-07-01", "source": "测试文件"}
    data.update({f"param_{k}": str(v) for k, v in DEFAULT_PARAMS.items()})
    data.update(extra)
    return data


def test_the_province_adds_a_policy_version_from_the_page(make_user, client_for):
    client = client_for(make_user("province", "14"))
    latest = PolicySetting.objects.filter(province_code="14", year=2023).order_by("-version").first()

    response = client.post("/monitoring/policies/", policy_form())

    assert response.status_code == 302
    created = PolicySetting.objects.filter(province_code="14", year=2023).order_by("-version").first()
    assert created.version == latest.version + 1
    assert str(created.threshold) == "7300.00"
    assert created.effective_from == date(2023, 7, 1)
    page = client.get("/monitoring/policies/").content.decode()
    assert "7300.00" in page and "测试文件" in page


def test_the_policy_page_refuses_a_share_over_five(make_user, client_for):
    client = client_for(make_user("province", "14"))
    before = PolicySetting.objects.count()

    response = client.post("/monitoring/policies/", policy_form(param_oop_share_others="50"))

    assert response.status_code == 200 and "应为比例" in response.content.decode()
    assert PolicySetting.objects.count() == before


def test_a_county_user_cannot_set_a_policy_from_the_page(county_user, client_for):
    client = client_for(county_user)
    before = PolicySetting.objects.count()

    assert client.get("/monitoring/policies/").status_code == 200  # may read
    response = client.post("/monitoring/policies/", policy_form())

    assert response.status_code == 403
    assert PolicySetting.objects.count() == before


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return login


def test_the_lead_api_returns_the_months_own_area_leads_with_their_reasons(leads, village_user, api):
    response = api(village_user).get("/api/leads/", {"month": "2025-12"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["household_code"]: row["reason"] for row in body["results"]} == {
        "Q1": "王秋林户的预警原因",
        "Q3": "赵秋林户的预警原因",
    }
    assert all(row["village_code"] == QLZ for row in body["results"])
    assert api(village_user).get(f"/api/leads/{leads['Y1'].pk}/").status_code == 404


def test_the_run_and_policy_apis(below_range, county_user, make_user, api):
    run, _ = run_month(county_user)

    runs = api(county_user).get("/api/monitoring-runs/").json()
    assert [r["id"] for r in runs["results"]] == [run.pk]
    row = runs["results"][0]
    assert row["status"] == "done" and row["counts"]["leads"] == 1 and row["threshold"] == "7100.00"
    assert api(make_user("county", "140322")).get("/api/monitoring-runs/").json()["count"] == 0
    assert api(county_user).get(f"/api/monitoring-runs/{run.pk}/").json()["area_code"] == PINGDING

    policies = api(county_user).get("/api/policies/").json()["results"]
    thresholds = {(p["year"], p["version"]): p["threshold"] for p in policies}
    assert thresholds[(2021, 1)] == "6000.00"
    assert thresholds[(2023, 1)] == "7100.00"
    assert thresholds[(2025, 1)] == "7100.00"
    assert all(p["province_code"] == "14" for p in policies)

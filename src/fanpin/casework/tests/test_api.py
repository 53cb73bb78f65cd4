"""The Pingding household of domain §11 through the API: clue June 2021 → monitored 脱贫不稳定户 (因病,
因残) → measures → elimination February 2022 at 6,432 yuan against the 2021 range of 6,000 (accepted),
and the same proposal refused when the range is 6,600, the message quoting both figures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from fanpin.casework.tests.world import QLZ, give_measure, pingding_household, threshold_2021
from fanpin.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user):
    def client(role, area):
        c = APIClient()
        c.force_authenticate(make_user(role, area))
        return c

    return {
        "village": client("village", QLZ),
        "township": client("township", QLZ[:9]),
        "county": client("county", "140321"),
    }


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def upload(api, case_id, kind, name):
    return ok(
        api.post(
            f"/api/cases/{case_id}/documents/",
            {"kind": kind, "file": SimpleUploadedFile(name, b"%PDF-1.4 scan")},
            format="multipart",
        ),
        201,
    )


def act(client, case_id, **body):
    return client.post(f"/api/cases/{case_id}/transitions/", body, format="json")


def through_procedure(api, case_id, dates, *, approve=True):
    v = api["village"]
    ok(act(v, case_id, action="verify", on=dates[0], reason="入户核实：情况属实"))
    upload(v, case_id, "meeting_record", "民主评议会议记录.pdf")
    ok(act(v, case_id, action="appraise", on=dates[1]))
    ok(act(v, case_id, action="close_notice", on=dates[2]))
    ok(act(api["township"], case_id, action="review", on=dates[3], reason="同意"))
    if approve:
        return act(api["county"], case_id, action="approve", on=dates[4], reason="同意")


def identify_by_api(api, h):
    v = api["village"]
    case = ok(
        v.post(
            "/api/cases/",
            {
                "household": h.pk,
                "kind": "identification",
                "channel": "cadre",
                "on": "2021-06-02",
                "summary": "夫妻患病、一子残疾，医疗支出大",
                "category": "脱贫不稳定户",
                "risk_types": ["因病", "因残"],
            },
            format="json",
        ),
        201,
    )
    assert case["status"] == "verification" and case["due_on"] == "2021-06-17"
    refused = act(v, case["id"], action="verify", on="2021-06-04", reason="属实")
    assert refused.status_code == 400 and "授权承诺书" in refused.json()["detail"]
    upload(v, case["id"], "authorisation", "授权承诺书.pdf")
    approved = ok(
        through_procedure(
            api, case["id"], ["2021-06-04", "2021-06-05", "2021-06-10", "2021-06-11", "2021-06-15"]
        )
    )
    assert approved["status"] == "approved" and approved["decided_month"] == "202106"
    return approved


def test_pingding_household_end_to_end_through_the_api(api):
    h = pingding_household()
    case = identify_by_api(api, h)
    household = ok(api["county"].get(f"/api/households/{h.pk}/"))
    assert household["category"] == "脱贫不稳定户" and household["identified_month"] == "202106"
    assert "因病" in household["risk_types"] and "因残" in household["risk_types"]
    steps = ok(api["county"].get(f"/api/cases/{case['id']}/transitions/"))
    assert [s["to_status"] for s in steps] == [
        "verification",
        "appraisal",
        "notice",
        "township",
        "county",
        "approved",
    ]

    h = Household.objects.get(pk=h.pk)
    disabled_son = h.members.get(relation="之子", health="残疾")
    other_son = h.members.get(relation="之子", labour_skill="普通劳动力")
    h = give_measure(h, "100A42", "公益性岗位", amount="10800", member=disabled_son)
    h = give_measure(h, "100A48", "残疾人补贴", amount="1068", member=disabled_son)
    h = give_measure(h, "100A40", "外出务工", amount="24000", member=other_son)

    v = api["village"]
    elim = ok(
        v.post(
            "/api/cases/",
            {
                "household": h.pk,
                "kind": "elimination",
                "on": "2022-02-08",
                "elimination_method": "帮扶消除",
                "per_capita_income": "6432",
            },
            format="json",
        ),
        201,
    )
    done = ok(
        through_procedure(
            api, elim["id"], ["2022-02-09", "2022-02-10", "2022-02-15", "2022-02-16", "2022-02-25"]
        )
    )
    assert (done["status"], done["threshold"], done["threshold_year"], done["per_capita_income"]) == (
        "approved",
        "6000.00",
        2021,
        "6432.00",
    )
    household = ok(api["county"].get(f"/api/households/{h.pk}/"))
    assert household["risk_eliminated"] is True and done["decided_month"] == "202202"
    h.refresh_from_db()
    assert (h.eliminated_month, h.elimination_method) == ("202202", "帮扶消除")


def test_with_the_range_at_6600_the_proposal_and_the_approval_are_refused_with_both_figures(api):
    h = pingding_household()
    identify_by_api(api, h)
    give_measure(Household.objects.get(pk=h.pk))
    body = {
        "household": h.pk,
        "kind": "elimination",
        "on": "2022-02-08",
        "elimination_method": "帮扶消除",
        "per_capita_income": "6432",
    }
    elim = ok(api["village"].post("/api/cases/", body, format="json"), 201)
    through_procedure(
        api, elim["id"], ["2022-02-09", "2022-02-10", "2022-02-15", "2022-02-16"], approve=False
    )
    threshold_2021("6600")  # the province corrects the 2021 range before the county decides
    refused = act(api["county"], elim["id"], action="approve", on="2022-02-25")
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert (
        "【帮扶消除：人均纯收入不低于当年监测范围】" in detail
        and "6,432.00" in detail
        and "6,600.00" in detail
    )
    assert ok(api["county"].get(f"/api/cases/{elim['id']}/"))["status"] == "county"
    assert ok(api["county"].get(f"/api/households/{h.pk}/"))["risk_eliminated"] is False
    ok(
        act(
            api["county"], elim["id"], action="reject", on="2022-02-25", reason="收入未达到监测范围，继续帮扶"
        )
    )
    again = api["village"].post("/api/cases/", {**body, "on": "2022-03-01"}, format="json")
    assert (
        again.status_code == 400
        and "6,432.00" in again.json()["detail"]
        and "6,600.00" in again.json()["detail"]
    )


def test_the_api_refuses_what_the_role_may_not_do(api):
    h = pingding_household()
    case = ok(
        api["village"].post(
            "/api/cases/",
            {
                "household": h.pk,
                "kind": "identification",
                "channel": "application",
                "on": "2021-06-02",
                "summary": "书面申请",
            },
            format="json",
        ),
        201,
    )
    assert act(api["township"], case["id"], action="approve", on="2021-06-03").status_code == 403
    green = api["village"].post(
        "/api/cases/",
        {
            "household": h.pk,
            "kind": "green",
            "category": "突发严重困难户",
            "risk_types": ["因意外事故"],
            "summary": "火灾",
        },
        format="json",
    )
    assert green.status_code == 403
    listed = ok(api["village"].get("/api/cases/?state=open&level=village"))
    assert [c["id"] for c in listed["results"]] == [case["id"]]
    schema = api["county"].get("/api/schema/?format=json").json()
    assert {"/api/cases/", "/api/cases/{id}/transitions/", "/api/cases/{id}/documents/"} <= set(
        schema["paths"]
    )

"""月度监测 of 平定县 for December 2025, as the county officer checks it: which households got a lead
and why, the run's counts, the month-end snapshots (their 人均纯收入 the same as the registry's, to
the cent), no duplicates on a re-run, and the refusals (unfinished month, no policy, wrong role/area)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_run_now
from fanpin.core.models.job import JobStatus
from fanpin.monitoring.models import HouseholdSnapshot, Lead, MonitoringRun
from fanpin.monitoring.services.runs import monitoring_run_request
from fanpin.monitoring.tests.world import (
    PINGDING,
    QLZ,
    YUXIAN,
    household,
    income,
    person,
    policy_2025,
    run_month,
)
from fanpin.registry.models import Household

pytestmark = pytest.mark.django_db

LEADS = {"A1", "A2", "B", "C", "D", "E"}
IN_PINGDING = {"A1", "A2", "B", "C", "D", "E", "F", "G", "H", "I", "K"}


@pytest.fixture
def county_user(make_user):
    return make_user("county", PINGDING, username="pd_county")


@pytest.fixture
def world(db):
    """Households of 秋林庄村 (and one of 盂县), incomes for the twelve months of 2025."""
    policy_2025()
    w = {}
    # A1: 脱贫户 of 3, 12 × (1,500.00 + 300.00 − 25.01) = 21,299.88 → 7,099.96 per person.
    w["A1"] = household(
        "A1",
        household_type="脱贫户",
        adults=3,
        monthly={"wage": "1500.00", "business": "300.00", "business_cost": "25.01"},
    )
    # A2: 一般农户 of 3, 12 × 1,774.97 + 0.01 (December) = 21,299.65 → 7,099.8833… → 7,099.88.
    w["A2"] = household("A2", adults=3, monthly={"wage": "1774.97"})
    income(w["A2"], 2025, 12, wage="1774.97", transfer="0.01")
    # B: 12,000 per person, but 18,000.00 out of pocket (over 100% of the rural income 16,323).
    w["B"] = household("B", monthly={"wage": "2000.00", "out_of_pocket": "1500.00"})
    # C: income fine, house graded C.
    w["C"] = household("C", household_type="脱贫户", house_grade="C", monthly={"wage": "2000.00"})
    # D: a child of 10 at 2025-12-31 with no school status and no reason recorded.
    w["D"] = household("D", monthly={"wage": "2500.00"})
    person(w["D"], relation="之子", birth=date(2015, 6, 1))
    # E: the spouse has neither 城乡居民 nor 职工 medical insurance.
    w["E"] = household("E", adults=1, monthly={"wage": "2000.00"})
    person(w["E"], relation="配偶", resident_medical=False, employee_medical=False)
    # F: already monitored (risk not eliminated), 6,000 per person.
    w["F"] = household(
        "F",
        household_type="脱贫户",
        category="脱贫不稳定户",
        identified_month="202406",
        monthly={"wage": "1000.00"},
    )
    # G: 6,000 per person, with a lead of November still open.
    w["G"] = household("G", monthly={"wage": "1000.00"})
    Lead.objects.create(
        household=w["G"], year=2025, month=11, suggested_category="边缘易致贫户", reason="11 月线索"
    )
    # H: healthy, 8,000 per person (6 people); a pupil in 四年级, a 5-year-old, a 17-year-old, one in 职工医保.
    w["H"] = household("H", monthly={"wage": "4000.00"})
    person(w["H"], relation="之女", birth=date(2015, 3, 1), school_status="四年级")
    person(w["H"], relation="之子", birth=date(2020, 9, 1))
    person(w["H"], relation="之子", birth=date(2008, 5, 1))
    person(w["H"], relation="之父", resident_medical=False, employee_medical=True)
    # I: only 11 months recorded (February–December), 2,750 per person over them.
    w["I"] = household("I", monthly={"wage": "500.00"}, months=[(2025, m) for m in range(2, 13)])
    # J: 盂县, below the range — another county's household, never in 平定县's run.
    w["J"] = household("J", village=YUXIAN, monthly={"wage": "500.00"})
    # K: an annual record of 20,000.05 for 2025 plus monthly records August–December of 1,000.00:
    # (5 × 12 × 100,000 + 7 × 2,000,005) / 12 cents = 16,666.70 → 8,333.35 per person.
    w["K"] = household("K")
    income(w["K"], 2025, 1, months=12, wage="20000.05")
    for month in range(8, 13):
        income(w["K"], 2025, month, wage="1000.00")
    return w


def codes(qs) -> set[str]:
    return set(qs.values_list("household__code", flat=True))


def lead_of(code: str) -> Lead:
    return Lead.objects.get(household__code=code, year=2025, month=12)


def test_the_december_run_raises_leads_for_exactly_the_households_at_risk(world, county_user):
    run, job = run_month(county_user)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert run.status == "done"
    assert run.policy.threshold == Decimal("7100")
    assert codes(Lead.objects.filter(run=run)) == LEADS
    assert all(lead.status == "open" and lead.source == "monitoring" for lead in Lead.objects.filter(run=run))
    assert run.counts["households"] == 11
    assert run.counts["people"] == 29
    assert run.counts["below_threshold"] == 4  # A1, A2, F, G — not I (11 months only)
    assert run.counts["leads"] == 6
    assert run.counts["income_incomplete"] == 1
    assert run.counts["skipped_monitored_or_open"] == 2  # F and G
    assert job.result["leads"] == 6


def test_income_just_below_the_range_suggests_the_category_by_household_type(world, county_user):
    run_month(county_user)

    a1, a2 = lead_of("A1"), lead_of("A2")
    assert a1.suggested_category == "脱贫不稳定户"
    assert a1.reason == "人均纯收入 7,099.96 元，低于 2025 年监测范围 7,100 元"
    assert a2.suggested_category == "边缘易致贫户"
    assert a2.reason == "人均纯收入 7,099.88 元，低于 2025 年监测范围 7,100 元"
    assert a1.figures["per_capita"] == 709996 and a1.figures["threshold"] == 710000


def test_large_out_of_pocket_spending_is_a_sudden_hardship_from_illness(world, county_user):
    run_month(county_user)

    b = lead_of("B")
    assert b.suggested_category == "突发严重困难户"
    assert "因病" in b.risk_list
    assert "近 12 个月合规自付支出 18,000.00 元" in b.reason
    assert "16,323.00 元" in b.reason
    assert "低于" not in b.reason  # 12,000 per person: the income is not the reason


def test_house_school_and_insurance_problems_are_each_named(world, county_user):
    run_month(county_user)

    c, d, e = lead_of("C"), lead_of("D"), lead_of("E")
    assert "住房出现安全问题" in c.risk_list
    assert "住房存在安全问题" in c.reason
    assert c.suggested_category == "脱贫不稳定户"
    assert "义务教育阶段适龄儿童少年失学辍学" in d.risk_list
    assert d.reason == "有义务教育阶段适龄儿童少年失学辍学"
    assert e.reason == "有家庭成员未参加城乡居民（职工）基本医疗保险"
    assert "因病" in e.risk_list
    assert e.suggested_category == "边缘易致贫户"


def test_monitored_households_and_open_leads_are_not_duplicated(world, county_user):
    run_month(county_user)

    assert not Lead.objects.filter(household=world["F"]).exists()
    assert list(Lead.objects.filter(household=world["G"]).values_list("year", "month", "status")) == [
        (2025, 11, "open")
    ]
    snapshot = HouseholdSnapshot.objects.get(household=world["F"], year=2025, month=12)
    assert snapshot.monitored is True and snapshot.below_threshold is True


def test_an_incomplete_year_is_reported_but_not_judged_on_income(world, county_user):
    run_month(county_user)

    assert not Lead.objects.filter(household=world["I"]).exists()
    snapshot = HouseholdSnapshot.objects.get(household=world["I"], year=2025, month=12)
    assert snapshot.months_covered == 11
    assert snapshot.below_threshold is False
    assert snapshot.per_capita_income == Decimal("2750.00")


def test_another_countys_household_is_not_in_the_run(world, county_user):
    run_month(county_user)

    assert not HouseholdSnapshot.objects.filter(household=world["J"]).exists()
    assert not Lead.objects.filter(household=world["J"]).exists()


def test_one_snapshot_per_household_agreeing_with_the_registry_to_the_cent(world, county_user):
    run_month(county_user)

    snapshots = HouseholdSnapshot.objects.filter(year=2025, month=12).select_related("household")
    assert sorted(s.household.code for s in snapshots) == sorted(IN_PINGDING)
    registry = dict(Household.objects.values_list("code", "per_capita_income"))
    for s in snapshots:
        assert s.per_capita_income == registry[s.household.code], s.household.code
        assert s.county_code == PINGDING
    by_code = {s.household.code: s for s in snapshots}
    assert by_code["A1"].per_capita_income == Decimal("7099.96")
    assert by_code["A2"].per_capita_income == Decimal("7099.88")
    assert by_code["K"].net_income == Decimal("16666.70")
    assert by_code["K"].per_capita_income == Decimal("8333.35")
    assert by_code["B"].out_of_pocket == Decimal("18000.00")
    assert by_code["A1"].triggers == "income_below"
    assert by_code["H"].triggers == ""


def test_running_the_same_month_again_adds_nothing(world, county_user):
    first, _ = run_month(county_user)
    leads_before = Lead.objects.count()

    second, job = run_month(county_user)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert second.pk != first.pk
    assert second.counts["leads"] == 0
    assert Lead.objects.count() == leads_before
    assert not Lead.objects.filter(run=second).exists()
    assert HouseholdSnapshot.objects.filter(year=2025, month=12).count() == len(IN_PINGDING)


def test_a_month_not_yet_over_is_refused(world, county_user):
    today = date.today()
    next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    for year, month in [(today.year, today.month), next_month]:
        with pytest.raises(ApplicationError) as info:
            monitoring_run_request(actor=county_user, area_code=PINGDING, year=year, month=month)
        assert "尚未结束" in info.value.message
    assert not MonitoringRun.objects.exists()


def test_a_year_without_a_policy_is_refused(world, county_user):
    with pytest.raises(ApplicationError) as info:
        monitoring_run_request(actor=county_user, area_code=PINGDING, year=2024, month=12)

    assert "尚未设置 2024 年的监测范围" in info.value.message
    assert not MonitoringRun.objects.exists()


def test_a_village_user_cannot_request_a_run(world, village_user):
    with pytest.raises(PermissionDenied):
        monitoring_run_request(actor=village_user, area_code=QLZ, year=2025, month=12)
    assert not MonitoringRun.objects.exists()


def test_a_county_user_cannot_run_another_county(world, county_user):
    with pytest.raises(PermissionDenied):
        monitoring_run_request(actor=county_user, area_code="140322", year=2025, month=12)
    assert not MonitoringRun.objects.exists()


def test_a_second_request_while_the_first_is_queued_is_refused(world, county_user):
    monitoring_run_request(actor=county_user, area_code=PINGDING, year=2025, month=12)

    with pytest.raises(ApplicationError) as info:
        monitoring_run_request(actor=county_user, area_code=QLZ, year=2025, month=12)

    assert "正在进行" in info.value.message
    assert MonitoringRun.objects.count() == 1


def test_a_sharp_fall_in_income_is_a_sudden_hardship_from_unstable_work(county_user):
    policy_2025()
    # 2024: 12 × 3,000 = 36,000 → 18,000 per person; 2025: 12 × 1,400 = 16,800 → 8,400 per person,
    # above the range but 53% lower (8,400 / 18,000 = 46.67%), and the wages less than half.
    h = household("L", monthly={"wage": "1400.00"})
    for month in range(1, 13):
        income(h, 2024, month, wage="3000.00")

    run, _ = run_month(county_user)

    lead = Lead.objects.get(run=run)
    assert lead.household == h
    assert lead.suggested_category == "突发严重困难户"
    assert lead.reason == "人均纯收入较上年同期下降 53%（18,000.00 元降至 8,400.00 元）"
    assert "因务工就业不稳" in lead.risk_list


def test_a_household_whose_risk_was_eliminated_is_flagged_again(county_user):
    policy_2025()
    h = household(
        "M",
        household_type="脱贫户",
        category="脱贫不稳定户",
        identified_month="202306",
        risk_eliminated=True,
        elimination_method="帮扶消除",
        eliminated_month="202412",
        monthly={"wage": "1000.00"},
    )

    run, _ = run_month(county_user)

    lead = Lead.objects.get(run=run)
    assert lead.household == h
    assert lead.reason == "人均纯收入 6,000.00 元，低于 2025 年监测范围 7,100 元"
    assert HouseholdSnapshot.objects.get(household=h).monitored is False


def test_a_failed_run_is_marked_failed_with_its_reason_and_writes_nothing(world, county_user, monkeypatch):
    run, job = monitoring_run_request(actor=county_user, area_code=PINGDING, year=2025, month=12)

    def broken_read(*args, **kwargs):  # the database goes away half way through reading the area
        raise OSError("磁盘读取失败")

    monkeypatch.setattr("fanpin.monitoring.services.runs.extract_area", broken_read)
    job = job_run_now(job)
    monkeypatch.undo()

    run.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert run.status == "failed"
    assert "磁盘读取失败" in run.message
    assert not Lead.objects.filter(run=run).exists()
    assert not HouseholdSnapshot.objects.exists()
    # a failed run does not block the next request for the same month
    again, _ = run_month(county_user)
    assert again.status == "done" and again.counts["leads"] == len(LEADS)

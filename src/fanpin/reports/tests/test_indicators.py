"""Each indicator against a count made by hand from households created here, at every level."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fanpin.monitoring.models import HouseholdSnapshot, Lead
from fanpin.monitoring.services.policy import policy_setting_create
from fanpin.monitoring.tests.world import QLZ, policy_2025, run_month
from fanpin.reports.models import Rollup
from fanpin.reports.services.rollup import rollup_compute

pytestmark = pytest.mark.django_db


def _values(code: str, year: int, month: int) -> dict[str, Decimal]:
    return dict(
        Rollup.objects.filter(area_code=code, year=year, month=month).values_list("indicator", "value")
    )


def test_household_indicators_match_a_hand_count_at_every_level(world):
    policy_2025()
    rollup_compute(actor="测试", area_code="1403", months=[(2025, 9), (2025, 12)])

    village = _values(QLZ, 2025, 9)  # a monitored; b eliminated this month; f never monitored
    assert village["monitored_households"] == 1
    assert village["monitored_people"] == 3
    assert village["monitored_unstable_households"] == 1
    assert village["monitored_unstable_people"] == 3
    assert village["monitored_marginal_households"] == 0
    assert village["identified_households"] == 2
    assert village["identified_people"] == 5
    assert village["new_households"] == 0
    assert village["eliminated_month_households"] == 1
    assert village["eliminated_households"] == 1
    assert village["eliminated_assisted_households"] == 1
    assert village["registered_households"] == 3
    assert village["registered_people"] == 7
    assert village["formerly_poor_people"] == 3
    assert village["rate_base_people"] == 7
    assert village["monitoring_rate"] == Decimal("71.43")  # 5 / 7
    assert village["risk_illness"] == 1 and village["risk_no_labour"] == 1
    assert village["risk_employment"] == 0  # b's risk is eliminated
    assert village["threshold"] == Decimal("7100.00")

    township = _values("140321201", 2025, 9)  # a and c monitored; c new this month
    assert township["monitored_households"] == 2
    assert township["monitored_people"] == 7
    assert township["monitored_sudden_households"] == 1
    assert township["new_households"] == 1 and township["new_people"] == 4
    assert township["risk_accident"] == 1
    assert township["registered_households"] == 4

    county = _values("140321", 2025, 9)
    assert county["registered_households"] == 5
    assert county["registered_people"] == 13
    assert county["formerly_poor_people"] == 5
    assert county["monitored_households"] == 2
    assert county["identified_people"] == 9
    assert county["monitoring_rate"] == Decimal("69.23")  # 9 / 13

    city_sep, city_dec = _values("1403", 2025, 9), _values("1403", 2025, 12)
    assert city_sep["monitored_households"] == 2  # e is identified only in December
    assert city_sep["registered_households"] == 6
    assert city_dec["monitored_households"] == 3
    assert city_dec["new_households"] == 1 and city_dec["monitored_marginal_households"] == 1
    assert city_dec["risk_illness"] == 2
    # 盂县 has e only; 平定县's other villages and townships have no rows (no households).
    assert _values("140322", 2025, 9)["monitored_households"] == 0
    assert not Rollup.objects.filter(area_code="140321100001").exists()
    assert _values("14", 2025, 9)["registered_households"] == 6  # the province holds only these


def test_rate_denominator_is_a_policy_setting(world):
    policy_setting_create(
        actor="测试",
        province_code="14",
        year=2025,
        threshold="7100",
        effective_from=date(2025, 1, 1),
        params={"monitoring_rate_base": "2"},
    )
    rollup_compute(actor="测试", area_code="140321", months=[(2025, 9)])
    county = _values("140321", 2025, 9)
    # 脱贫人口 a 3 + d 2 = 5; identified people outside 脱贫户: b 2 + c 4 = 6
    assert county["rate_base_people"] == 11
    assert county["monitoring_rate"] == Decimal("81.82")  # 9 / 11


def test_monthly_run_updates_leads_and_income_indicators(world, make_user):
    policy_2025()
    county_user = make_user("county", "140321")
    incomes = {"wage": "300"}  # 3,600 a year
    from fanpin.monitoring.tests.world import income

    year = [(2024, m) for m in range(10, 13)] + [(2025, m) for m in range(1, 10)]  # 12 months to Sept
    for key in ("a", "f"):  # a: 3 people → 1,200 per person; f: 2 people → 1,800
        for y, m in year:
            income(world[key], y, m, **incomes)
    for y, m in year:  # c: 4 people, 40,000 a month → far above the range
        income(world["c"], y, m, wage="40000")
    run, job = run_month(county_user, area="140321", year=2025, month=9)
    assert job.status == "succeeded", job.error
    assert "指标汇总已更新" in job.log

    village = _values(QLZ, 2025, 9)
    # Month-end snapshots of 秋林庄村: a, b, f (every household the run saw)
    assert village["snapshot_households"] == 3
    below = set(
        HouseholdSnapshot.objects.filter(
            year=2025, month=9, household__village_id=QLZ, below_threshold=True
        ).values_list("household__code", flat=True)
    )
    assert village["below_threshold_households"] == len(below)
    assert f"{QLZ}A001" in below and f"{QLZ}F001" in below
    assert village["monitored_below_threshold_households"] == 1  # a (b's risk is eliminated)
    # Only a is monitored with a snapshot: the average is a's own per-capita income of the run.
    a_income = HouseholdSnapshot.objects.get(household=world["a"], year=2025, month=9).per_capita_income
    assert a_income is not None and village["monitored_income_avg"] == a_income
    leads = Lead.objects.filter(year=2025, month=9, household__village_id=QLZ)
    assert village["leads_raised"] == leads.count() >= 1  # f, low income, not monitored
    assert village["leads_open"] == leads.count()

    lead = leads.first()
    Lead.objects.filter(pk=lead.pk).update(status="dismissed")
    rollup_compute(actor="测试", area_code="140321", months=[(2025, 9)])
    village = _values(QLZ, 2025, 9)
    assert village["leads_dismissed"] == 1 and village["leads_open"] == leads.count() - 1

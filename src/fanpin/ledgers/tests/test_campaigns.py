"""Campaign arithmetic: flows over the period, stocks at its last month, ratios, rounding, last year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fanpin.accounts.choices import Role
from fanpin.core.errors import ApplicationError
from fanpin.ledgers.campaigns.progress import percent, shift_year, target_progress
from fanpin.ledgers.campaigns.services import campaign_create, campaign_target_add
from fanpin.ledgers.framework.definition import get_ledger
from fanpin.ledgers.framework.services import ledger_entry_create

pytestmark = pytest.mark.django_db


def test_percent_rounds_half_up_at_the_reported_precision():
    assert percent(Decimal("0.995868"), 1) == Decimal("99.6")
    assert percent(Decimal("1.052805"), 2) == Decimal("105.28")
    assert percent(Decimal("0.60705"), 1) == Decimal("60.7")
    assert percent(Decimal("0.00125"), 1) == Decimal("0.1")  # half up, not to even
    assert percent(Decimal("1"), 0) == Decimal("100")


def test_shift_year_keeps_29_february_valid():
    assert shift_year(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert shift_year(date(2022, 6, 30), -1) == date(2021, 6, 30)


def _sale(amount: str, day: str, area: str = "140321"):
    ledger_entry_create(
        actor="测试",
        ledger=get_ledger("consumption"),
        values={"area": area, "sold_on": day, "channel": "订单销售", "products": "小米", "amount": amount},
    )


def _workers(n: int, year: int, month: int, area: str = "140321"):
    ledger_entry_create(
        actor="测试",
        ledger=get_ledger("employment"),
        values={"area": area, "year": year, "month": month, "headcount": n, "place": "县内"},
    )


def test_flow_sums_the_period_stock_takes_its_last_month(make_user):
    county = make_user(Role.COUNTY, "140321")
    for amount, day in (
        ("100", "2025-03-31"),
        ("200", "2025-04-01"),
        ("300", "2025-06-30"),
        ("999", "2025-07-01"),
    ):
        _sale(amount, day)
    _sale("5000", "2025-05-01", area="140322")  # 盂县: outside the campaign's area
    _sale("150", "2024-05-01")  # last year
    for n, month in ((10, 4), (20, 5), (30, 6)):
        _workers(n, 2025, month)
    _workers(25, 2024, 6)
    campaign = campaign_create(
        actor=county, name="测试行动", area_code="140321", start_on=date(2025, 4, 1), end_on=date(2025, 6, 30)
    )
    sales = target_progress(
        campaign_target_add(
            actor=county,
            campaign=campaign,
            indicator="consumption_sales",
            target=Decimal("1000"),
            compare_last_year=True,
        )
    )
    assert sales.actual == Decimal("500") and sales.of_target == Decimal("50.00")
    assert sales.last_year == Decimal("150") and sales.of_last_year == Decimal("333.33")
    workers = target_progress(
        campaign_target_add(actor=county, campaign=campaign, indicator="workers", compare_last_year=True)
    )
    assert workers.actual == 30 and workers.last_year == 25 and workers.of_last_year == Decimal("120.00")
    assert workers.of_target is None and workers.of_target_text == "—"


def test_nothing_last_year_gives_no_ratio(make_user):
    county = make_user(Role.COUNTY, "140321")
    _sale("100", "2025-05-01")
    campaign = campaign_create(
        actor=county, name="x", area_code="140321", start_on=date(2025, 1, 1), end_on=date(2025, 12, 31)
    )
    p = target_progress(
        campaign_target_add(
            actor=county, campaign=campaign, indicator="consumption_sales", compare_last_year=True
        )
    )
    assert p.last_year == 0 and p.of_last_year is None and p.of_last_year_text == "—"


def test_campaign_refusals(make_user):
    county = make_user(Role.COUNTY, "140321")
    with pytest.raises(ApplicationError, match="结束日期早于开始日期"):
        campaign_create(
            actor=county, name="x", area_code="140321", start_on=date(2025, 2, 1), end_on=date(2025, 1, 1)
        )
    campaign = campaign_create(
        actor=county, name="x", area_code="140321", start_on=date(2025, 1, 1), end_on=date(2025, 3, 1)
    )
    with pytest.raises(ApplicationError, match="没有指标"):
        campaign_target_add(actor=county, campaign=campaign, indicator="no_such")
    with pytest.raises(ApplicationError, match="不在行动区划"):
        campaign_target_add(actor=county, campaign=campaign, indicator="workers", area_code="140322")

from dataclasses import dataclass
from decimal import Decimal

from fanpin.registry.income import income_over_12_months, window_months


@dataclass
class Rec:
    year: int
    month: int
    months: int = 1
    wage: Decimal = Decimal("0")
    business: Decimal = Decimal("0")
    property_income: Decimal = Decimal("0")
    transfer: Decimal = Decimal("0")
    business_cost: Decimal = Decimal("0")
    claims: Decimal = Decimal("0")
    out_of_pocket: Decimal = Decimal("0")


def test_window_crosses_the_year():
    months = window_months(2024, 3)
    assert months[0] == (2023, 4) and months[-1] == (2024, 3) and len(months) == 12


def test_net_income_formula_over_twelve_monthly_records():
    recs = [
        Rec(
            2023,
            m,
            wage=Decimal("1000"),
            business=Decimal("200"),
            property_income=Decimal("10"),
            transfer=Decimal("300.50"),
            business_cost=Decimal("50"),
        )
        for m in range(1, 13)
    ]
    w = income_over_12_months(recs, end_year=2023, end_month=12)
    # (1000 + 200 + 10 + 300.50 - 50) * 12
    assert w.net == Decimal("17526.00")
    assert w.per_capita(3) == Decimal("5842.00")
    assert w.complete


def test_annual_record_fills_months_without_monthly_records():
    recs = [Rec(2023, 1, months=12, wage=Decimal("12000"))] + [
        Rec(2024, m, wage=Decimal("500")) for m in (1, 2, 3)
    ]
    w = income_over_12_months(recs, end_year=2024, end_month=3)
    # 9 months of 2023 at 1000 each, then 3 months of 2024 at 500
    assert w.wage == Decimal("10500.00")
    assert w.months_covered == 12


def test_missing_months_are_counted_not_invented():
    w = income_over_12_months([Rec(2024, 1, wage=Decimal("800"))], end_year=2024, end_month=6)
    assert w.months_covered == 1 and w.net == Decimal("800.00") and not w.complete


def test_decimal_not_float():
    recs = [Rec(2024, m, wage=Decimal("0.10")) for m in range(1, 13)]
    w = income_over_12_months(recs, end_year=2024, end_month=12)
    assert w.wage == Decimal("1.20")  # float would give 1.2000000000000002
    assert isinstance(w.per_capita(7), Decimal)

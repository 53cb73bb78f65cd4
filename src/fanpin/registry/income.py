"""家庭纯收入 and 人均纯收入 over any 12 months, in Decimal yuan. Pure functions, no Django queries.

A month in the window takes its monthly record when there is one; otherwise one twelfth of the annual
record of that calendar year, when there is one; otherwise nothing (and is reported as missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
FIELDS = ("wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket")


class IncomeLike(Protocol):
    year: int
    month: int
    months: int
    wage: Decimal
    business: Decimal
    property_income: Decimal
    transfer: Decimal
    business_cost: Decimal
    claims: Decimal
    out_of_pocket: Decimal


@dataclass
class WindowIncome:
    end_year: int
    end_month: int
    wage: Decimal = Decimal("0")
    business: Decimal = Decimal("0")
    property_income: Decimal = Decimal("0")
    transfer: Decimal = Decimal("0")
    business_cost: Decimal = Decimal("0")
    claims: Decimal = Decimal("0")
    out_of_pocket: Decimal = Decimal("0")
    months_covered: int = 0

    @property
    def net(self) -> Decimal:
        return (
            self.wage + self.business + self.property_income + self.transfer - self.business_cost
        ).quantize(CENT, ROUND_HALF_UP)

    def per_capita(self, size: int) -> Decimal | None:
        if size <= 0:
            return None
        return (self.net / Decimal(size)).quantize(CENT, ROUND_HALF_UP)

    @property
    def complete(self) -> bool:
        return self.months_covered == 12


def window_months(end_year: int, end_month: int) -> list[tuple[int, int]]:
    """The 12 (year, month) pairs ending with end_year-end_month, oldest first."""
    end = end_year * 12 + end_month - 1
    return [(i // 12, i % 12 + 1) for i in range(end - 11, end + 1)]


def cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value(ROUND_HALF_UP))


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero (ROUND_HALF_UP)."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def income_over_12_months(records: Iterable[IncomeLike], *, end_year: int, end_month: int) -> WindowIncome:
    """Exact: each component is (12 × its monthly records + k × its annual record) / 12 in cents, where
    k is the number of window months of that year without a monthly record, rounded half up once at
    the end. The same rule is written in Ibis in fanpin.matching.engine.income."""
    monthly = {}
    annual = {}
    for r in records:
        if r.months == 12:
            annual[r.year] = r
        else:
            monthly[(r.year, r.month)] = r
    result = WindowIncome(end_year=end_year, end_month=end_month)
    twelfths = dict.fromkeys(FIELDS, 0)  # in cents × 12
    for ym in window_months(end_year, end_month):
        if ym in monthly:
            rec, weight = monthly[ym], 12
        elif ym[0] in annual:
            rec, weight = annual[ym[0]], 1
        else:
            continue
        result.months_covered += 1
        for f in FIELDS:
            twelfths[f] += weight * cents(getattr(rec, f))
    for f in FIELDS:
        setattr(result, f, Decimal(round_half_up_div(twelfths[f], 12)) / 100)
    return result


def latest_window(records: Iterable[IncomeLike]) -> WindowIncome | None:
    """The 12 months ending with the latest month any record covers (None without records)."""
    records = list(records)
    if not records:
        return None
    latest = max(records, key=lambda r: (r.year, r.month + r.months - 1))
    return income_over_12_months(records, end_year=latest.year, end_month=latest.month + latest.months - 1)


# --- The same windows on plain integers, for exports of millions of households ----------------------
# income_over_12_months without model instances or Decimal: records as tuples with the amounts in
# integer cents (the database sums and converts them), the same window and the same rounding.

CentsRecord = tuple[int, int, int, int, int, int, int, int, int, int]
"""(year, month, months, wage, business, property_income, transfer, business_cost, claims,
out_of_pocket), the amounts in integer cents."""


def latest_end(records: Iterable[CentsRecord]) -> tuple[int, int]:
    """(end_year, end_month) of latest_window: the latest month any record covers."""
    year, month, months = max(records, key=lambda r: (r[0], r[1] + r[2] - 1))[:3]
    return year, month + months - 1


def window_cents(records: Iterable[CentsRecord], *, end_year: int, end_month: int) -> tuple[int, list[int]]:
    """(months covered, the 7 FIELDS in cents), as income_over_12_months computes them. Records in the
    order income_over_12_months would see them (a later one wins for the same month or year)."""
    monthly: dict[tuple[int, int], CentsRecord] = {}
    annual: dict[int, CentsRecord] = {}
    for r in records:
        if r[2] == 12:
            annual[r[0]] = r
        else:
            monthly[(r[0], r[1])] = r
    twelfths = [0] * 7  # in cents × 12
    covered = 0
    for ym in window_months(end_year, end_month):
        rec = monthly.get(ym)
        if rec is not None:
            weight = 12
        else:
            rec = annual.get(ym[0])
            if rec is None:
                continue
            weight = 1
        covered += 1
        for i in range(7):
            twelfths[i] += weight * rec[3 + i]
    return covered, [round_half_up_div(n, 12) for n in twelfths]


def per_capita_cents(net: int, size: int) -> int:
    """WindowIncome.per_capita in cents (size > 0): net / size rounded half away from zero."""
    return round_half_up_div(net, size)


def cents_text(cents: int, *, negative: bool = False) -> str:
    """f"{amount:.2f}" of an amount in cents. negative=True writes a zero as "-0.00", as Decimal does for
    a negative quotient that rounds to zero (per_capita of a small negative net income)."""
    sign = "-" if cents < 0 or negative else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"

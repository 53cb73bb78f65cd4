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


def income_over_12_months(records: Iterable[IncomeLike], *, end_year: int, end_month: int) -> WindowIncome:
    monthly = {}
    annual = {}
    for r in records:
        if r.months == 12:
            annual[r.year] = r
        else:
            monthly[(r.year, r.month)] = r
    result = WindowIncome(end_year=end_year, end_month=end_month)
    twelfth = Decimal(12)
    for ym in window_months(end_year, end_month):
        if ym in monthly:
            rec, share = monthly[ym], None
        elif ym[0] in annual:
            rec, share = annual[ym[0]], twelfth
        else:
            continue
        result.months_covered += 1
        for f in FIELDS:
            value = getattr(rec, f)
            setattr(result, f, getattr(result, f) + (value / share if share else value))
    for f in FIELDS:
        setattr(result, f, getattr(result, f).quantize(CENT, ROUND_HALF_UP))
    return result


def latest_window(records: Iterable[IncomeLike]) -> WindowIncome | None:
    """The 12 months ending with the latest month any record covers (None without records)."""
    records = list(records)
    if not records:
        return None
    latest = max(records, key=lambda r: (r.year, r.month + r.months - 1))
    return income_over_12_months(records, end_year=latest.year, end_month=latest.month + latest.months - 1)

"""家庭纯收入 and 人均纯收入 over 12 months, in cents — the rule of fanpin.registry.income in Ibis.

incomes: household_id, year, month, months (1 or 12), and the components in cents (int64):
wage, business, property_income, transfer, business_cost, claims, out_of_pocket.
"""

from __future__ import annotations

import ibis
from ibis import _

COMPONENTS = ("wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket")


def window_months(end_year: int, end_month: int) -> list[tuple[int, int]]:
    end = end_year * 12 + end_month - 1
    return [(i // 12, i % 12 + 1) for i in range(end - 11, end + 1)]


def round_half_up_div(numerator, denominator):
    """Integer numerator / positive integer denominator, rounded half away from zero (Ibis)."""
    n = numerator.abs()
    return ((n * 2 + denominator) // (denominator * 2)) * numerator.sign()


def window_income(incomes: ibis.Table, *, end_year: int, end_month: int) -> ibis.Table:
    """One row per household with any income in the window: the components, months_covered, net (cents)."""
    months = window_months(end_year, end_month)
    start_index, end_index = months[0][0] * 12 + months[0][1] - 1, end_year * 12 + end_month - 1
    per_year: dict[int, int] = {}
    for year, _month in months:
        per_year[year] = per_year.get(year, 0) + 1
    index = incomes.year * 12 + incomes.month - 1
    monthly = incomes.filter((incomes.months == 1) & index.between(start_index, end_index))
    monthly_by_year = monthly.group_by("household_id", "year").aggregate(
        covered=_.count(), **{f"m_{c}": monthly[c].sum() for c in COMPONENTS}
    )
    years = ibis.memtable({"year": list(per_year), "in_window": list(per_year.values())}).cast(
        {"year": "int64", "in_window": "int64"}
    )
    annual = incomes.filter((incomes.months == 12) & incomes.year.isin(list(per_year)))
    annual = annual.join(years, "year")
    annual = annual.left_join(
        monthly_by_year.select("household_id", "year", "covered"), ["household_id", "year"]
    )
    missing = annual.in_window - annual.covered.fill_null(0)
    annual_part = annual.select(
        "household_id",
        k=missing,
        **{f"t_{c}": annual[c] * missing for c in COMPONENTS},  # cents × months, i.e. twelfths
    )
    monthly_part = monthly_by_year.select(
        "household_id", k=_.covered, **{f"t_{c}": monthly_by_year[f"m_{c}"] * 12 for c in COMPONENTS}
    )
    parts = monthly_part.union(annual_part)
    totals = parts.group_by("household_id").aggregate(
        months_covered=_.k.sum(), **{f"t_{c}": parts[f"t_{c}"].sum() for c in COMPONENTS}
    )
    result = totals.select(
        "household_id",
        "months_covered",
        **{c: round_half_up_div(totals[f"t_{c}"], 12).cast("int64") for c in COMPONENTS},
    )
    return result.mutate(net=_.wage + _.business + _.property_income + _.transfer - _.business_cost)


def per_capita(net, size):
    """人均纯收入 in cents, rounded half up; null when the household has no members."""
    return ibis.ifelse(size > 0, round_half_up_div(net, size.nullif(0)), ibis.null()).cast("int64")

"""One area's report for one month, assembled from the stored rollups. The page, the .xlsx, the PDF
and the API all take their figures from here, so a figure is the same number everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fanpin.core.errors import ApplicationError
from fanpin.divisions.models import Division
from fanpin.reports import selectors
from fanpin.reports.indicators import CATEGORY_KEYS, HEADLINE, INDICATORS, RISK_KEYS, TABLE, Indicator
from fanpin.reports.services.rollup import parse_month

TREND_KEYS = ["monitored_households", "new_households", "eliminated_month_households", "leads_raised"]


@dataclass
class AreaReport:
    division: Division
    year: int | None
    month: int | None
    months: list[tuple[int, int]]
    values: dict[str, Decimal]
    children: list[selectors.Node]
    breadcrumbs: list[Division]
    computed_at: Any = None

    @property
    def month_label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.year else ""

    @property
    def has_data(self) -> bool:
        return bool(self.values)

    def headline(self) -> list[tuple[Indicator, Decimal | None]]:
        return [(INDICATORS[k], self.values.get(k)) for k in HEADLINE]

    def columns(self) -> list[Indicator]:
        return [INDICATORS[k] for k in TABLE]

    def rows(self) -> list[tuple[selectors.Node, list[tuple[str, Decimal | None]]]]:
        return [(n, [(k, n.value(k)) for k in TABLE]) for n in self.children]

    def total(self) -> list[tuple[str, Decimal | None]]:
        return [(k, self.values.get(k)) for k in TABLE]

    def all_values(self) -> list[tuple[Indicator, Decimal | None]]:
        return [(d, self.values.get(d.key)) for d in INDICATORS.values() if d.available]

    def categories(self) -> list[tuple[str, Decimal | None]]:
        return [(name, self.values.get(f"monitored_{key}_households")) for name, key in CATEGORY_KEYS.items()]

    def risks(self) -> list[tuple[str, Decimal | None]]:
        return [(name, self.values.get(key)) for name, key in RISK_KEYS.items()]


def area_report(*, user: Any, code: str, month: str | None = None) -> AreaReport:
    division = selectors.report_area(user=user, code=code)
    months = selectors.months_available(user=user, area_code=division.code)
    year = mon = None
    if month:
        try:
            year, mon = parse_month(month)
        except ApplicationError:
            year = mon = None
    if (year, mon) not in months:
        year, mon = months[0] if months else (None, None)
    values = selectors.area_values(user=user, area_code=division.code, year=year, month=mon) if year else {}
    kids = selectors.children(user=user, division=division, year=year, month=mon) if year else []
    return AreaReport(
        division=division,
        year=year,
        month=mon,
        months=months,
        values=values,
        children=kids,
        breadcrumbs=selectors.breadcrumbs(user=user, division=division),
        computed_at=selectors.computed_at(user=user, area_code=division.code, year=year, month=mon)
        if year
        else None,
    )


def plain(value: Decimal | None) -> int | float | None:
    """A stored value as a JSON/xlsx number: integers stay integers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)

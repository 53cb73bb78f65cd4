"""Reads of the stored rollups, always inside the user's area. Nothing here counts households."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fanpin.core.scope import area_prefix, restrict, user_covers
from fanpin.divisions.choices import CODE_LENGTH, Level
from fanpin.divisions.models import Division
from fanpin.reports.indicators import INDICATORS
from fanpin.reports.models import Rollup


@dataclass
class Node:
    code: str
    name: str
    level: int
    values: dict[str, Decimal] = field(default_factory=dict)

    def value(self, key: str) -> Decimal | None:
        return self.values.get(key)


def report_area(*, user: Any, code: str) -> Division:
    """The division a report is about: 404 when it does not exist or lies outside the user's area."""
    if not user_covers(user, code):
        raise Http404("该区划不存在或不在您的管辖范围内")
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404("该区划不存在或不在您的管辖范围内")
    return division


def report_root(*, user: Any) -> str | None:
    """Where a user's reports start: their own area (the province for an unrestricted account)."""
    prefix = area_prefix(user)
    if prefix is None:
        return None
    return prefix or Division.objects.filter(level=Level.PROVINCE).values_list("code", flat=True).first()


def breadcrumbs(*, user: Any, division: Division) -> list[Division]:
    """From the user's own area down to `division` (never above what the user may see)."""
    return [d for d in [*division.ancestors(), division] if user_covers(user, d.code)]


def rollups(*, user: Any) -> QuerySet[Rollup]:
    return restrict(Rollup.objects.all(), user=user, field="area_code")


def months_available(*, user: Any, area_code: str) -> list[tuple[int, int]]:
    """Months with rollups for this node, newest first."""
    rows = (
        rollups(user=user)
        .filter(area_code=area_code, indicator="registered_households")
        .order_by("-year", "-month")
        .values_list("year", "month")
    )
    return list(rows)


def area_values(*, user: Any, area_code: str, year: int, month: int) -> dict[str, Decimal]:
    return dict(
        rollups(user=user)
        .filter(area_code=area_code, year=year, month=month)
        .values_list("indicator", "value")
    )


def computed_at(*, user: Any, area_code: str, year: int, month: int):
    return (
        rollups(user=user)
        .filter(area_code=area_code, year=year, month=month, indicator="registered_households")
        .values_list("computed_at", flat=True)
        .first()
    )


def children(*, user: Any, division: Division, year: int, month: int) -> list[Node]:
    """Every child division of `division` (those without households too: no figures), with its figures."""
    kids = restrict(Division.objects.filter(parent=division), user=user).order_by("code")
    nodes = {d.code: Node(d.code, d.name, d.level) for d in kids}
    for code, key, value in (
        rollups(user=user)
        .filter(parent_code=division.code, year=year, month=month)
        .values_list("area_code", "indicator", "value")
    ):
        if code in nodes:
            nodes[code].values[key] = value
    return list(nodes.values())


def trend(*, user: Any, area_code: str, keys: list[str], limit: int = 12) -> dict:
    """The last `limit` months with rollups: {"months": ["2025-01", …], key: [value or None, …]}."""
    months = sorted(months_available(user=user, area_code=area_code)[:limit])
    rows = (
        rollups(user=user)
        .filter(area_code=area_code, indicator__in=keys)
        .filter(year__gte=months[0][0] if months else 0)
        .values_list("year", "month", "indicator", "value")
    )
    found = {(y, m, k): v for y, m, k, v in rows}
    out: dict[str, Any] = {"months": [f"{y}-{m:02d}" for y, m in months]}
    for key in keys:
        out[key] = [found.get((y, m, key)) for y, m in months]
    return out


def county_values(*, user: Any, division: Division, year: int, month: int, indicator: str) -> list[Node]:
    """County-level figures inside a province or city node, for the map."""
    if indicator not in INDICATORS:
        indicator = "monitored_households"
    counties = restrict(
        Division.objects.filter(level=Level.COUNTY, code__startswith=division.code), user=user
    ).order_by("code")
    nodes = {d.code: Node(d.code, d.name, d.level) for d in counties}
    for code, value in (
        rollups(user=user)
        .filter(level=Level.COUNTY, year=year, month=month, indicator=indicator)
        .filter(area_code__startswith=division.code)
        .values_list("area_code", "value")
    ):
        if code in nodes:
            nodes[code].values[indicator] = value
    return list(nodes.values())


def child_level_name(division: Division) -> str:
    return Level(division.level + 1).label if division.level < Level.VILLAGE else ""


__all__ = [
    "CODE_LENGTH",
    "Node",
    "area_values",
    "breadcrumbs",
    "child_level_name",
    "children",
    "county_values",
    "months_available",
    "report_area",
    "report_root",
    "rollups",
    "trend",
]

"""Assistance indicators (assistance app), per node and month, over the households monitored at
month-end E (the same rule as every other indicator: identified by the month, risk not eliminated by E):

- measure coverage by category: share of them with at least one measure in place on E
  (start ≤ E and no end or end ≥ E, as assistance.selectors defines "in place");
- visit coverage: share of them with at least one visit dated in the month (as the assistance app's
  coverage page counts visits; that page takes the households monitored today).
Percentages with one decimal, like the assistance app's coverage page.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from fanpin.assistance.models import Measure, Visit
from fanpin.registry.choices import Category
from fanpin.reports.indicators import CATEGORY_KEYS


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def compute(*, households, field: str, year: int, month: int) -> dict[str, dict[str, Any]]:
    from fanpin.reports.services.rollup import monitoring_conditions

    end = date(year, month, monthrange(year, month)[1])
    monitored = monitoring_conditions(year, month)["monitored"]
    in_place = Measure.objects.filter(household=OuterRef("pk"), start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=end)
    )
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__year=year, visited_on__month=month)
    aggregates: dict[str, Any] = {
        "_monitored": Count("id"),
        "_visited": Count("id", filter=Q(_visited=True)),
    }
    for name, key in CATEGORY_KEYS.items():
        aggregates[f"_{key}"] = Count("id", filter=Q(category=Category(name)))
        aggregates[f"_{key}_covered"] = Count("id", filter=Q(category=Category(name), _measured=True))
    rows = (
        households.filter(monitored)
        .annotate(_measured=Exists(in_place), _visited=Exists(visited))
        .values(field)
        .annotate(**aggregates)
        .order_by()
    )
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = {"visit_coverage": _share(row["_visited"], row["_monitored"])}
        for key in CATEGORY_KEYS.values():
            values[f"measure_coverage_{key}"] = _share(row[f"_{key}_covered"], row[f"_{key}"])
        out[str(row[field])] = values
    return out

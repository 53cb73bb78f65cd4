"""A household's assistance measures, through the assistance app's selector (its agreed interface).

Until the assistance app is installed, the measures recorded in the national system's file (the
household's imported measure columns) stand in, so that the rule "at least one measure" can be checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class MeasureView:
    category: str
    item: str
    amount: Decimal | None
    start: date | None
    end: date | None


def assistance_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("fanpin.assistance")


def household_measures(*, household: Any, on: date | None = None) -> list:
    """Measures in place on `on` (all when None): objects with category, item, amount, start, end."""
    if assistance_installed():
        from fanpin.assistance.selectors import household_measures as measures

        return list(measures(household=household, on=on))
    recorded = household.measures_recorded or {}
    return [
        MeasureView(category=str(column), item=str(value), amount=None, start=None, end=None)
        for column, value in recorded.items()
        if str(value or "").strip() not in ("", "否", "无")
    ]

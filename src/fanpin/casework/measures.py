"""A household's assistance measures, through the assistance app's agreed interface."""

from __future__ import annotations

from datetime import date
from typing import Any


def household_measures(*, household: Any, on: date | None = None) -> list:
    """Plan measures (一户一策) in place on `on` (all when None): objects with category (code such as
    "100A42"), item, amount, start, end."""
    from fanpin.assistance.selectors import household_measures as measures

    return list(measures(household=household, on=on))

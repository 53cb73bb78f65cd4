"""Helpers for ledger metrics: area prefix, periods, sums as Decimal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

ZERO = Decimal("0")


def in_area(qs: QuerySet, area_code: str) -> QuerySet:
    return qs.filter(area__code__startswith=area_code) if area_code else qs


def total(qs: QuerySet, field: str) -> Decimal:
    value = qs.aggregate(v=Sum(field))["v"]
    return Decimal(value) if value is not None else ZERO


def count(qs: QuerySet) -> Decimal:
    return Decimal(qs.aggregate(v=Count("id"))["v"] or 0)


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole) if whole else ZERO


def years(start: date, end: date) -> list[int]:
    return list(range(start.year, end.year + 1))


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1

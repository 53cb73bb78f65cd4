"""Case indicators (识别纳入 and 风险消除 cases, casework app), per node and month, as of month-end E:

- open at E: opened on or before E and not closed by E (still open, or decided after E);
- overdue at E: open at E and either its overall deadline (审定时限 due_on) passed before E, or the step it
  is still in began by E and that step's deadline passed before E;
- decided in the month: decided_on within the month; days from clue to decision = decided_on − opened_on
  (opened_on is the day the clue was found or the application made).
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from fanpin.casework.choices import OPEN_STATUSES
from fanpin.casework.models import Case


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def open_at(end: date) -> Q:
    return Q(opened_on__lte=end) & (Q(status__in=OPEN_STATUSES) | Q(decided_on__gt=end))


def overdue_at(end: date) -> Q:
    still_in_step = Q(status__in=OPEN_STATUSES, step_entered_on__lte=end, step_due_on__lt=end)
    return open_at(end) & (Q(due_on__lt=end) | still_in_step)


def compute(*, households, field: str, year: int, month: int) -> dict[str, dict[str, Any]]:
    start, end = month_bounds(year, month)
    cases = Case.objects.filter(household__in=households)
    key = f"household__{field}"
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in (
        cases.values(key)
        .annotate(
            cases_open=Count("id", filter=open_at(end)),
            cases_overdue=Count("id", filter=overdue_at(end)),
            cases_decided=Count("id", filter=Q(decided_on__gte=start, decided_on__lte=end)),
        )
        .order_by()
    ):
        code = str(row.pop(key))
        out[code].update(row)
    days: dict[str, list[int]] = defaultdict(list)
    for code, opened, decided in cases.filter(decided_on__gte=start, decided_on__lte=end).values_list(
        key, "opened_on", "decided_on"
    ):
        days[str(code)].append((decided - opened).days)
    for code, values in days.items():
        out[code]["case_days_avg"] = (Decimal(sum(values)) / len(values)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    return out


def overdue_cases(*, user: Any, area_code: str, year: int, month: int, limit: int = 200) -> list[Case]:
    """The cases of `area_code` overdue at the month's end (for the monthly report), oldest deadline first."""
    from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS, household_fields, restrict

    _start, end = month_bounds(year, month)
    qs = restrict(Case.objects.all(), user=user, level_fields=household_fields("household__"))
    qs = qs.filter(**{f"household__{HOUSEHOLD_CODE_FIELDS[len(area_code)]}": area_code}).filter(
        overdue_at(end)
    )
    return list(
        qs.select_related("household", "household__village").order_by("due_on", "step_due_on", "id")[:limit]
    )

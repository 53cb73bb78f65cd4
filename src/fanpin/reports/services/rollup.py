"""指标汇总 (rollups): compute every available indicator for an area's nodes and a month, and store them.

For an area X and month M the job recomputes X itself, every node below X that has households, and
X's ancestors (their figures include X's). One grouped query per level and data source; nothing here
runs when a page is shown.

Indicators of other apps (casework, assistance) are computed by `fanpin.reports.sources.<app>.compute(
*, households, field, year, month) -> {node code: {indicator key: value}}` (households: the Household
queryset of the nodes being computed, field: the Household field holding the node's code at this level),
called only when that app is installed; see `_app_values`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from fanpin.core.bulk import insert_rows
from fanpin.core.errors import ApplicationError
from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division
from fanpin.registry.choices import Category, EliminationMethod, HouseholdType
from fanpin.registry.models import Household
from fanpin.reports.indicators import CATEGORY_KEYS, INDICATORS, RISK_KEYS
from fanpin.reports.models import Rollup

LEVELS = [(1, 2), (2, 4), (3, 6), (4, 9), (5, 12)]  # (level, code length)
RATE_BASE_REGISTERED = "1"
RATE_BASE_POOR_AND_MONITORED = "2"
CENT = Decimal("0.01")
# Counts of other apps that are 0 (not "no figure") for a node with households but no records.
COUNTED_WHEN_INSTALLED = ["cases_open", "cases_overdue", "cases_decided"]


def month_key(year: int, month: int) -> str:
    return f"{year}{month:02d}"


def _risk_q(name: str) -> Q:
    """risk_types holds up to 5 names separated by "|": match a whole name, never a part of one."""
    return (
        Q(risk_types=name)
        | Q(risk_types__startswith=f"{name}|")
        | Q(risk_types__endswith=f"|{name}")
        | Q(risk_types__contains=f"|{name}|")
    )


def monitoring_conditions(year: int, month: int) -> dict[str, Q]:
    """The month-end rules every household indicator uses (documented in docs/reports.md)."""
    ym = month_key(year, month)
    identified = Q(category__gt="") & (Q(identified_month="") | Q(identified_month__lte=ym))
    eliminated = Q(risk_eliminated=True) & (Q(eliminated_month="") | Q(eliminated_month__lte=ym))
    return {
        "identified": identified,
        "eliminated": identified & eliminated,
        "monitored": identified & ~eliminated,
        "new": Q(category__gt="", identified_month=ym),
        "eliminated_month": Q(category__gt="", risk_eliminated=True, eliminated_month=ym),
    }


def _household_aggregates(year: int, month: int) -> dict[str, Any]:
    c = monitoring_conditions(year, month)
    mon = c["monitored"]
    agg: dict[str, Any] = {
        "monitored_households": Count("id", filter=mon),
        "monitored_people": Sum("size", filter=mon),
        "identified_households": Count("id", filter=c["identified"]),
        "identified_people": Sum("size", filter=c["identified"]),
        "new_households": Count("id", filter=c["new"]),
        "new_people": Sum("size", filter=c["new"]),
        "eliminated_month_households": Count("id", filter=c["eliminated_month"]),
        "eliminated_households": Count("id", filter=c["eliminated"]),
        "eliminated_assisted_households": Count(
            "id", filter=c["eliminated"] & Q(elimination_method=EliminationMethod.ASSISTED)
        ),
        "registered_households": Count("id"),
        "registered_people": Sum("size"),
        "formerly_poor_people": Sum("size", filter=Q(household_type=HouseholdType.FORMERLY_POOR)),
        "_identified_not_poor_people": Sum(
            "size", filter=c["identified"] & ~Q(household_type=HouseholdType.FORMERLY_POOR)
        ),
    }
    for name, key in CATEGORY_KEYS.items():
        cat = mon & Q(category=Category(name))
        agg[f"monitored_{key}_households"] = Count("id", filter=cat)
        agg[f"monitored_{key}_people"] = Sum("size", filter=cat)
    for name, key in RISK_KEYS.items():
        agg[key] = Count("id", filter=mon & _risk_q(name))
    return agg


def _grouped(qs, field: str, aggregates: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = qs.values(field).annotate(**aggregates).order_by()
    return {str(r.pop(field)): r for r in rows}


def _rate_base(policy_params: dict | None) -> str:
    value = str((policy_params or {}).get("monitoring_rate_base", RATE_BASE_REGISTERED)).strip()
    try:
        value = str(int(Decimal(value)))
    except ArithmeticError:
        value = RATE_BASE_REGISTERED
    return value if value in (RATE_BASE_REGISTERED, RATE_BASE_POOR_AND_MONITORED) else RATE_BASE_REGISTERED


def _policy(province: str, year: int, month: int):
    from calendar import monthrange

    from fanpin.monitoring.services.policy import policy_in_force

    try:
        return policy_in_force(
            province_code=province, year=year, on=date(year, month, monthrange(year, month)[1])
        )
    except ApplicationError:
        return None


def _app_values(households, field: str, year: int, month: int) -> dict[str, dict[str, Any]]:
    """Indicators of the installed apps beyond registry and monitoring (reports/sources/<app>.py)."""
    merged: dict[str, dict[str, Any]] = {}
    for source in sorted({d.source for d in INDICATORS.values() if d.available} - {"registry", "monitoring"}):
        module = importlib.import_module(f"fanpin.reports.sources.{source}")
        for code, values in module.compute(
            households=households, field=field, year=year, month=month
        ).items():
            merged.setdefault(str(code), {}).update(values)
    return merged


def compute_values(*, area_code: str, year: int, month: int) -> dict[str, dict[str, Any]]:
    """{node code: {indicator: value}} for `area_code`, its nodes with households and its ancestors.
    Values are Decimal, int or None (None: not measured, e.g. no month-end snapshot that month)."""
    from fanpin.monitoring.models import HouseholdSnapshot, Lead

    if len(area_code) not in HOUSEHOLD_CODE_FIELDS:
        raise ApplicationError(f"区划代码“{area_code}”应为 2、4、6、9 或 12 位数字。")
    own_field = HOUSEHOLD_CODE_FIELDS[len(area_code)]
    policy = _policy(area_code[:2], year, month)
    base_kind = _rate_base(policy.params if policy else None)
    hh_agg = _household_aggregates(year, month)
    snap_agg = {
        "snapshot_households": Count("id"),
        "below_threshold_households": Count("id", filter=Q(below_threshold=True)),
        "monitored_below_threshold_households": Count("id", filter=Q(below_threshold=True, monitored=True)),
        "monitored_income_avg": Avg(
            "per_capita_income", filter=Q(monitored=True, per_capita_income__isnull=False)
        ),
    }
    lead_agg = {
        "leads_raised": Count("id"),
        "leads_open": Count("id", filter=Q(status="open")),
        "leads_verified": Count("id", filter=Q(status="verified")),
        "leads_dismissed": Count("id", filter=Q(status="dismissed")),
    }
    values: dict[str, dict[str, Any]] = {}
    for _level, length in LEVELS:
        field = HOUSEHOLD_CODE_FIELDS[length]
        where = {field: area_code[:length]} if length <= len(area_code) else {own_field: area_code}
        households = Household.objects.filter(**where)
        nodes = _grouped(households, field, hh_agg)
        snaps = _grouped(
            HouseholdSnapshot.objects.filter(
                year=year, month=month, **{f"household__{k}": v for k, v in where.items()}
            ),
            f"household__{field}",
            snap_agg,
        )
        leads = _grouped(
            Lead.objects.filter(year=year, month=month, **{f"household__{k}": v for k, v in where.items()}),
            f"household__{field}",
            lead_agg,
        )
        extra = _app_values(households, field, year, month)
        for code, row in nodes.items():
            out = {k: (v or 0) for k, v in row.items()}
            not_poor = out.pop("_identified_not_poor_people")
            base = (
                out["registered_people"]
                if base_kind == RATE_BASE_REGISTERED
                else out["formerly_poor_people"] + not_poor
            )
            out["rate_base_people"] = base
            out["monitoring_rate"] = (
                (Decimal(out["identified_people"]) * 100 / Decimal(base)).quantize(CENT, ROUND_HALF_UP)
                if base
                else None
            )
            out["threshold"] = policy.threshold if policy else None
            out.update({k: 0 for k in lead_agg})
            out.update(leads.get(code, {}))
            snap = snaps.get(code)
            if snap:
                avg = snap["monitored_income_avg"]
                snap["monitored_income_avg"] = (
                    None if avg is None else Decimal(str(avg)).quantize(CENT, ROUND_HALF_UP)
                )
                out.update(snap)
            out.update({k: 0 for k in COUNTED_WHEN_INSTALLED if INDICATORS[k].available})
            out.update(extra.get(code, {}))
            values[code] = out
    return values


def _parent(code: str) -> str:
    for _level, length in reversed(LEVELS):
        if length < len(code):
            return code[:length]
    return ""


@transaction.atomic
def _store(*, area_code: str, year: int, month: int, values: dict[str, dict[str, Any]]) -> int:
    ancestors = [area_code[:n] for _lvl, n in LEVELS if n < len(area_code)]
    Rollup.objects.filter(year=year, month=month).filter(
        Q(area_code__startswith=area_code) | Q(area_code__in=ancestors)
    ).delete()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    level_of = {n: lvl for lvl, n in LEVELS}
    rows = [
        (code, _parent(code), level_of[len(code)], year, month, key, str(value), now)
        for code, indicators in values.items()
        for key, value in indicators.items()
        if value is not None and key in INDICATORS
    ]
    columns = ["area_code", "parent_code", "level", "year", "month", "indicator", "value", "computed_at"]
    insert_rows(Rollup, columns, rows)  # COPY on PostgreSQL: ~140k rows/s against bulk_create's ~18k
    return len(rows)


def rollup_compute(
    *,
    actor: Any,
    area_code: str,
    months: list[tuple[int, int]],
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Recompute the rollups of `area_code` (and its ancestors) for each month; one audit event."""
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"区划代码“{area_code}”不存在。")
    if not months:
        raise ApplicationError("请至少指定一个月份。")
    progress = on_progress or (lambda d, t: None)
    rows = nodes = 0
    for i, (year, month) in enumerate(months):
        progress(i, len(months))
        values = compute_values(area_code=area_code, year=year, month=month)
        rows += _store(area_code=area_code, year=year, month=month, values=values)
        nodes = max(nodes, len(values))
    progress(len(months), len(months))
    counts = {"months": len(months), "nodes": nodes, "rows": rows}
    with transaction.atomic():
        _audit(actor, area_code, months, counts)
    return counts


def _audit(actor: Any, area_code: str, months: list[tuple[int, int]], counts: dict) -> None:
    audit_record(
        actor=actor,
        action="reports.rollup",
        object_type="reports.rollup",
        object_id=area_code,
        object_repr=f"{area_code} {', '.join(f'{y}-{m:02d}' for y, m in months)}",
        area_code=area_code,
        after=counts,
    )


def last_months(n: int, *, today: date | None = None) -> list[tuple[int, int]]:
    """The n finished months before `today`, oldest first."""
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - 1  # last month
    return [((i // 12), (i % 12) + 1) for i in range(index - n + 1, index + 1)]


def parse_month(text: str) -> tuple[int, int]:
    year, _, month = (text or "").strip().partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        raise ApplicationError(f"月份“{text}”应写作 YYYY-MM，如 2026-10。")
    return int(year), int(month)


def rollup_after_run(*, run: Any, log: Callable[[str], None] = lambda s: None) -> dict:
    """The monthly monitoring run's last step: its area's rollups for its month are brought up to date.
    The run's own results are already saved; a failure here is logged (recompute with `fanpin reports
    rollup`) rather than failing the run."""
    try:
        counts = rollup_compute(
            actor=run.created_by or "月度监测", area_code=run.area_code, months=[(run.year, run.month)]
        )
    except Exception as exc:  # noqa: BLE001
        log(
            f"指标汇总未能更新（{exc.__class__.__name__}: {exc}）：请运行 fanpin reports rollup --area {run.area_code}"
        )
        return {}
    log(f"指标汇总已更新：{counts['nodes']} 个区划节点，{counts['rows']} 行")
    return counts

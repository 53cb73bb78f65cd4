"""月度监测: run the rules for an area and month; leads and month-end snapshots written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division
from fanpin.matching.engine.rules import TRIGGERS, household_facts, monitoring_candidates
from fanpin.matching.engines import ENGINES, connect
from fanpin.monitoring.choices import LeadSource, LeadStatus, RunStatus
from fanpin.monitoring.extract import extract_area, household_ids_table
from fanpin.monitoring.models import HouseholdSnapshot, Lead, MonitoringRun
from fanpin.monitoring.reasons import compose
from fanpin.monitoring.services.policy import policy_in_force, rule_params
from fanpin.registry.models import Household


def _check_month(year: int, month: int, today: date) -> None:
    if not (1 <= month <= 12) or year < 2020:
        raise ApplicationError(f"月份 {year}-{month:02d} 不合理。")
    if (year, month) >= (today.year, today.month):
        raise ApplicationError(f"{year} 年 {month} 月尚未结束，只能监测已结束的月份。")


@transaction.atomic
def monitoring_run_request(
    *, actor: Any, area_code: str, year: int, month: int, engine: str = "duckdb", today: date | None = None
) -> tuple[MonitoringRun, Job]:
    check_permission(actor, Permission.RUN_MONITORING, area_code)
    if engine not in ENGINES:
        raise ApplicationError(f"计算引擎应为 {' 或 '.join(ENGINES)}。")
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"区划代码“{area_code}”不存在。")
    _check_month(year, month, today or date.today())
    policy = policy_in_force(province_code=area_code[:2], year=year, on=date(year, month, 1))
    ancestors = [area_code[:n] for n in (2, 4, 6, 9, 12) if n <= len(area_code)]
    busy = MonitoringRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING], year=year, month=month
    ).filter(Q(area_code__in=ancestors) | Q(area_code__startswith=area_code))
    if busy.exists():
        raise ApplicationError("该区划（或其上级）本月的监测正在进行，请等待完成后再运行。")
    run = MonitoringRun.objects.create(
        area_code=area_code,
        year=year,
        month=month,
        engine=engine,
        policy=policy,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="monitoring.request", obj=run, area_code=area_code)
    job = job_enqueue(
        kind="monitoring.run",
        title=f"月度监测 {area_code} {year}-{month:02d}",
        params={"run": run.pk},
        actor=actor,
        area_code=area_code,
    )
    return run, job


def monitoring_run_execute(
    *, run: MonitoringRun, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    import ibis

    updated = MonitoringRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )
    if not updated:
        raise ApplicationError("该监测批次已运行过或正在运行。")
    progress = on_progress or (lambda d, t: None)
    params = rule_params(run.policy)
    progress(0, 4)
    tables = extract_area(run.area_code, first_year=run.year - 2)
    field = HOUSEHOLD_CODE_FIELDS[len(run.area_code)]
    in_area = Household.objects.filter(**{field: run.area_code})
    monitored = set(in_area.filter(category__gt="", risk_eliminated=False).values_list("id", flat=True))
    already = set(
        Lead.objects.filter(household__in=in_area)
        .filter(status=LeadStatus.OPEN)
        .values_list("household_id", flat=True)
    ) | set(
        Lead.objects.filter(
            household__in=in_area, year=run.year, month=run.month, source=LeadSource.MONITORING
        ).values_list("household_id", flat=True)
    )
    progress(1, 4)
    con = connect(run.engine)
    facts = household_facts(
        households=ibis.memtable(tables["households"]),
        members=ibis.memtable(tables["members"]),
        incomes=ibis.memtable(tables["incomes"]),
        params=params,
        end_year=run.year,
        end_month=run.month,
    )
    facts_rows = con.to_pyarrow(facts).to_pylist()
    candidates = con.to_pyarrow(
        monitoring_candidates(facts, ibis.memtable(household_ids_table(monitored | already)))
    ).to_pylist()
    progress(2, 4)
    leads = []
    for row in candidates:
        category, risks, reason, figures = compose(row, params, policy_year=run.policy.year)
        leads.append(
            Lead(
                household_id=row["household_id"],
                run=run,
                source=LeadSource.MONITORING,
                year=run.year,
                month=run.month,
                suggested_category=category,
                risk_types="|".join(risks),
                reason=reason,
                figures=figures,
            )
        )
    snapshots = [
        HouseholdSnapshot(
            household_id=row["household_id"],
            year=run.year,
            month=run.month,
            county_code="",
            net_income=_yuan(row["net"]),
            per_capita_income=_yuan(row["per_capita"]),
            out_of_pocket=_yuan(row["out_of_pocket"]) or Decimal(0),
            months_covered=row["months_covered"],
            below_threshold=bool(row["t_income_below"]),
            monitored=row["household_id"] in monitored,
            triggers="|".join(t[2:] for t in TRIGGERS if row[t]),
        )
        for row in facts_rows
    ]
    counties = dict(in_area.values_list("id", "county_code"))
    for s in snapshots:
        s.county_code = counties.get(s.household_id, "")
    with transaction.atomic():
        HouseholdSnapshot.objects.filter(household__in=in_area, year=run.year, month=run.month).delete()
        HouseholdSnapshot.objects.bulk_create(snapshots, batch_size=5000)
        # The unique constraint (household, month, source) is the last guard against a duplicate lead.
        Lead.objects.bulk_create(leads, batch_size=2000, ignore_conflicts=True)
        counts = {
            "households": len(facts_rows),
            "people": sum(r["size"] or 0 for r in facts_rows),
            "below_threshold": sum(1 for r in facts_rows if r["t_income_below"]),
            "income_incomplete": sum(1 for r in facts_rows if r["months_covered"] < 12),
            "triggered": sum(1 for r in facts_rows if r["any_trigger"]),
            "leads": len(leads),
            "skipped_monitored_or_open": sum(1 for r in facts_rows if r["any_trigger"]) - len(leads),
        }
        MonitoringRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, counts=counts, finished_at=timezone.now()
        )
        audit_record(
            actor=run.created_by or "系统",
            action="monitoring.run",
            obj=run,
            area_code=run.area_code,
            after=counts,
        )
    progress(4, 4)
    return counts


def _yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def monitoring_run_fail(*, run: MonitoringRun, message: str) -> None:
    MonitoringRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=message[:2000])

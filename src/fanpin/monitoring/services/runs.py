"""月度监测: run the rules for an area and month; leads and month-end snapshots written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
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
    # The facts stay columnar (one row per household of the area: a province is a million rows);
    # only the candidates become Python rows, to compose their reasons.
    facts_table = con.to_pyarrow(facts).join(
        tables["households"].select(["household_id", "county_code"]), "household_id"
    )
    candidates = con.to_pyarrow(
        monitoring_candidates(facts, ibis.memtable(household_ids_table(monitored | already)))
    ).to_pylist()
    del tables
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
    snapshots = snapshot_table(facts_table, monitored)
    with transaction.atomic():
        HouseholdSnapshot.objects.filter(household__in=in_area, year=run.year, month=run.month).delete()
        snapshots_write(snapshots, year=run.year, month=run.month)
        # The unique constraint (household, month, source) is the last guard against a duplicate lead.
        Lead.objects.bulk_create(leads, batch_size=2000, ignore_conflicts=True)
        triggered = pc.sum(facts_table.column("any_trigger").cast(pa.int64())).as_py() or 0
        counts = {
            "households": facts_table.num_rows,
            "people": pc.sum(facts_table.column("size")).as_py() or 0,
            "below_threshold": pc.sum(facts_table.column("t_income_below").cast(pa.int64())).as_py() or 0,
            "income_incomplete": pc.sum(
                pc.less(facts_table.column("months_covered"), 12).cast(pa.int64())
            ).as_py()
            or 0,
            "triggered": triggered,
            "leads": len(leads),
            "skipped_monitored_or_open": triggered - len(leads),
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


def snapshot_table(facts: pa.Table, monitored: set[int]) -> pa.Table:
    """The month-end snapshot of every household, columnar: amounts in cents, the triggers joined."""
    import duckdb

    con = duckdb.connect()
    con.register("facts", facts)
    con.register("monitored", pa.table({"household_id": pa.array(sorted(monitored), pa.int64())}))
    triggers = ", ".join(f"CASE WHEN {t} THEN '{t[2:]}' END" for t in TRIGGERS)
    return con.sql(
        "SELECT f.household_id, f.county_code, f.net, f.per_capita, coalesce(f.out_of_pocket, 0) AS out_of_pocket, "
        "f.months_covered, coalesce(f.t_income_below, false) AS below, m.household_id IS NOT NULL AS monitored, "
        f"concat_ws('|', {triggers}) AS triggers FROM facts f LEFT JOIN monitored m USING (household_id)"
    ).to_arrow_table()


SNAPSHOT_COLUMNS = (
    "household_id, year, month, county_code, net_income, per_capita_income, out_of_pocket, months_covered, "
    "below_threshold, monitored, triggers"
)


def snapshots_write(snapshots: pa.Table, *, year: int, month: int) -> None:
    """Insert the snapshots: on PostgreSQL through COPY into a temporary table and one INSERT … SELECT
    (exact numeric division of the cents); elsewhere in chunks of model objects."""
    if connection.vendor == "postgresql":
        import io

        import pyarrow.csv as pcsv

        buffer = io.BytesIO()
        pcsv.write_csv(snapshots, buffer, pcsv.WriteOptions(include_header=False, quoting_style="needed"))
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS pg_temp.snapshot_load"
            )  # a run earlier in the same transaction
            cursor.execute(
                "CREATE TEMPORARY TABLE snapshot_load (household_id bigint, county_code text, net bigint, "
                "per_capita bigint, out_of_pocket bigint, months_covered integer, below boolean, "
                "monitored boolean, triggers text) ON COMMIT DROP"
            )
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy("COPY snapshot_load FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
            cursor.execute(
                f"INSERT INTO monitoring_householdsnapshot ({SNAPSHOT_COLUMNS}) SELECT household_id, %s, %s, "
                "county_code, net::numeric / 100, per_capita::numeric / 100, out_of_pocket::numeric / 100, "
                "months_covered, below, monitored, coalesce(triggers, '') FROM snapshot_load",
                [year, month],
            )
        return
    for batch in snapshots.to_batches(max_chunksize=5000):
        HouseholdSnapshot.objects.bulk_create(
            [
                HouseholdSnapshot(
                    household_id=r["household_id"],
                    year=year,
                    month=month,
                    county_code=r["county_code"] or "",
                    net_income=_yuan(r["net"]),
                    per_capita_income=_yuan(r["per_capita"]),
                    out_of_pocket=_yuan(r["out_of_pocket"]),
                    months_covered=r["months_covered"],
                    below_threshold=r["below"],
                    monitored=r["monitored"],
                    triggers=r["triggers"] or "",
                )
                for r in batch.to_pylist()
            ]
        )


def _yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def monitoring_run_fail(*, run: MonitoringRun, message: str) -> None:
    MonitoringRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=message[:2000])

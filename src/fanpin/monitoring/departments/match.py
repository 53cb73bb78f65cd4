"""Matching a department batch to the registry and raising leads from its source's rules.

The matching and the rules are the Ibis expressions of fanpin.matching.engine.departments, run on
DuckDB or Spark; this module reads their inputs from the database and writes what they decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS
from fanpin.core.services.audit import audit_record
from fanpin.matching.engines import ENGINES, connect
from fanpin.monitoring.choices import LeadStatus
from fanpin.monitoring.models import DepartmentBatch, DepartmentBatchStatus, DepartmentRecord, Lead
from fanpin.registry.models import Household, Member

RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("id_number", pa.string()),
        ("year", pa.int64()),
        ("month", pa.int64()),
        ("amount", pa.int64()),
        ("total_cost", pa.int64()),
        ("category", pa.string()),
        ("status", pa.string()),
    ]
)
MEMBER_SCHEMA = pa.schema(
    [
        ("member_id", pa.int64()),
        ("household_id", pa.int64()),
        ("id_number", pa.string()),
        ("birth_date", pa.date32()),
    ]
)
HOUSEHOLD_SCHEMA = pa.schema([("household_id", pa.int64()), ("household_type", pa.string())])


def _table(rows, schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table({f.name: pa.array(list(c), type=f.type) for f, c in zip(schema, columns, strict=True)})


def _in_area(batch: DepartmentBatch, path: str = ""):
    return {f"{path}{HOUSEHOLD_CODE_FIELDS[len(batch.area_code)]}": batch.area_code}


def batch_tables(batch: DepartmentBatch) -> dict[str, pa.Table]:
    """The batch's records, and the members and households of its area, as Arrow tables."""
    records = DepartmentRecord.objects.filter(batch=batch).order_by("id")
    fields = ("id", "id_number", "year", "month", "amount", "total_cost", "category", "status")
    members = Member.objects.filter(**_in_area(batch, "household__")).order_by("id")
    households = Household.objects.filter(**_in_area(batch)).order_by("id")
    return {
        "records": _table(list(records.values_list(*fields)), RECORD_SCHEMA),
        "members": _table(
            list(members.values_list("id", "household_id", "id_number", "birth_date")), MEMBER_SCHEMA
        ),
        "households": _table(list(households.values_list("id", "household_type")), HOUSEHOLD_SCHEMA),
    }


def _match(tables: dict[str, pa.Table], engine: str) -> tuple[list[dict], Any]:
    import ibis

    from fanpin.matching.engine.departments import match_records

    con = connect(engine)
    matched = match_records(ibis.memtable(tables["records"]), ibis.memtable(tables["members"]))
    rows = con.to_pyarrow(matched.select("record_id", "member_id", "household_id")).to_pylist()
    return rows, matched


def match_batch_records(batch: DepartmentBatch, *, engine: str = "duckdb", tables=None) -> dict:
    """Set each record's member and household (or none); the counts of matched and unmatched."""
    return _apply_match(batch, engine, tables or batch_tables(batch))[0]


def _apply_match(batch: DepartmentBatch, engine: str, tables: dict[str, pa.Table]) -> tuple[dict, Any]:
    rows, matched_expr = _match(tables, engine)
    current = {
        pk: (m, h)
        for pk, m, h in DepartmentRecord.objects.filter(batch=batch).values_list(
            "id", "member_id", "household_id"
        )
    }
    changed = []
    for r in rows:
        if current.get(r["record_id"]) != (r["member_id"], r["household_id"]):
            changed.append(
                DepartmentRecord(id=r["record_id"], member_id=r["member_id"], household_id=r["household_id"])
            )
    with transaction.atomic():
        DepartmentRecord.objects.bulk_update(changed, ["member_id", "household_id"], batch_size=2000)
    matched = [r for r in rows if r["household_id"] is not None]
    counts = {
        "matched": len(matched),
        "unmatched": len(rows) - len(matched),
        "matched_households": len({r["household_id"] for r in matched}),
    }
    return counts, matched_expr


@transaction.atomic
def department_match_request(*, actor: Any, batch: DepartmentBatch, engine: str = "duckdb") -> Job:
    check_permission(actor, Permission.UPLOAD_DEPARTMENT_DATA, batch.area_code)
    if engine not in ENGINES:
        raise ApplicationError(f"计算引擎应为 {' 或 '.join(ENGINES)}。")
    locked = DepartmentBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in (DepartmentBatchStatus.LOADED, DepartmentBatchStatus.MATCHED):
        raise ApplicationError(f"批次当前状态为“{locked.get_status_display()}”，读取完成后才能生成预警线索。")
    if Job.objects.filter(
        kind="departments.match", params__batch=batch.pk, status__in=["queued", "running"]
    ).exists():
        raise ApplicationError("该批次正在生成预警线索，请等待完成。")
    audit_record(actor=actor, action="departments.match_request", obj=locked, area_code=locked.area_code)
    return job_enqueue(
        kind="departments.match",
        title=f"部门数据生成预警线索：第 {batch.pk} 批 {batch.file_name}",
        params={"batch": batch.pk, "engine": engine},
        actor=actor,
        area_code=batch.area_code,
    )


def excluded_households(batch: DepartmentBatch) -> set[int]:
    """Households with an open lead, already monitored (risk not eliminated), or with a lead of the
    batch's month and source: a department lead never duplicates them."""
    in_area = Household.objects.filter(**_in_area(batch))
    monitored = in_area.filter(category__gt="", risk_eliminated=False).values_list("id", flat=True)
    open_leads = Lead.objects.filter(household__in=in_area, status=LeadStatus.OPEN).values_list(
        "household_id", flat=True
    )
    same_month = Lead.objects.filter(
        household__in=in_area, year=batch.year, month=batch.month, source=batch.source
    ).values_list("household_id", flat=True)
    return set(monitored) | set(open_leads) | set(same_month)


def department_batch_match(
    *,
    batch: DepartmentBatch,
    engine: str = "duckdb",
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Re-match the batch to the registry, run its source's rules and write the leads."""
    import ibis

    from fanpin.matching.engine.departments import department_candidates, department_rows
    from fanpin.monitoring.departments.reasons import compose
    from fanpin.monitoring.services.policy import policy_in_force, rule_params

    updated = DepartmentBatch.objects.filter(
        pk=batch.pk, status__in=[DepartmentBatchStatus.LOADED, DepartmentBatchStatus.MATCHED]
    ).update(status=DepartmentBatchStatus.MATCHING)
    if not updated:
        raise ApplicationError("该批次尚未读取完成或正在生成预警线索。")
    progress = on_progress or (lambda d, t: None)
    progress(0, 3)
    policy = policy_in_force(
        province_code=batch.area_code[:2], year=batch.year, on=date(batch.year, batch.month, 1)
    )
    params = rule_params(policy)
    tables = batch_tables(batch)
    matched_counts, matched = _apply_match(batch, engine, tables)
    progress(1, 3)
    excluded = excluded_households(batch)
    con = connect(engine)
    rows = department_rows(
        batch.source,
        matched,
        ibis.memtable(tables["households"]),
        params=params,
        year=batch.year,
        month=batch.month,
    )
    all_rows = con.to_pyarrow(rows).to_pylist()
    excluded_table = pa.table({"household_id": pa.array(sorted(excluded), type=pa.int64())})
    candidates = con.to_pyarrow(department_candidates(rows, ibis.memtable(excluded_table))).to_pylist()
    progress(2, 3)
    types = dict(Household.objects.filter(**_in_area(batch)).values_list("id", "household_type"))
    by_household: dict[int, list[dict]] = {}
    for row in candidates:
        by_household.setdefault(row["household_id"], []).append(row)
    leads = []
    for household_id, household_rows in by_household.items():
        category, risks, reason, figures = compose(
            batch.source, household_rows, params, household_type=types.get(household_id, "")
        )
        figures["batch"] = batch.pk
        leads.append(
            Lead(
                household_id=household_id,
                source=batch.source,
                year=batch.year,
                month=batch.month,
                suggested_category=category,
                risk_types="|".join(risks),
                reason=reason,
                figures=figures,
            )
        )
    triggered = {r["household_id"] for r in all_rows}
    with transaction.atomic():
        # The unique constraint (household, month, source) is the last guard against a duplicate lead.
        Lead.objects.bulk_create(leads, batch_size=2000, ignore_conflicts=True)
        counts = {
            **DepartmentBatch.objects.get(pk=batch.pk).counts,
            **matched_counts,
            "engine": engine,
            "triggered": len(triggered),
            "leads": len(leads),
            "skipped_open_or_monitored": len(triggered) - len(leads),
        }
        DepartmentBatch.objects.filter(pk=batch.pk).update(
            status=DepartmentBatchStatus.MATCHED, counts=counts, matched_at=timezone.now(), message=""
        )
        audit_record(
            actor=batch.created_by or "系统",
            action="departments.match",
            obj=batch,
            area_code=batch.area_code,
            after={k: v for k, v in counts.items() if k != "issues_by_column"},
        )
    progress(3, 3)
    return counts


def department_match_fail(*, batch: DepartmentBatch, message: str) -> None:
    """Matching failed: the batch keeps its records and may be matched again."""
    DepartmentBatch.objects.filter(pk=batch.pk, status=DepartmentBatchStatus.MATCHING).update(
        status=DepartmentBatchStatus.LOADED, message=message[:2000]
    )

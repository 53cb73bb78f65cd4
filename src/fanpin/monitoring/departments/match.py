"""Matching a department batch to the registry and raising leads from its source's rules.

The matching and the rules are the Ibis expressions of fanpin.matching.engine.departments, run on
DuckDB or Spark; this module reads their inputs from the database and writes what they decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.matching.engines import ENGINES, connect
from fanpin.monitoring.choices import LeadStatus
from fanpin.monitoring.departments import identity
from fanpin.monitoring.models import DepartmentBatch, DepartmentBatchStatus, DepartmentRecord, Lead
from fanpin.registry.models import Household

MEMBER_COLUMNS = [
    ("member_id", "m.id", pa.int64()),
    ("household_id", "m.household_id", pa.int64()),
    ("id_key", identity.REGISTRY_KEY_SQL, pa.string()),
    ("birth_date", "m.birth_date", pa.date32()),
    ("household_type", "h.household_type", pa.string()),
]
HISTORY_COLUMNS = ["id_key", "period", "amount", "total_cost"]


def records_path(batch: DepartmentBatch) -> Path:
    """The batch's valid rows as Parquet: row, id_key (blind index), name, the engine columns, period."""
    return Path(batch.file_path).parent / "records.parquet"


def sealed_path(batch: DepartmentBatch) -> Path:
    """The batch's ID numbers, sealed: one token per chunk (fanpin.monitoring.departments.identity)."""
    return Path(batch.file_path).parent / "ids.sealed"


def sealed_numbers(batch: DepartmentBatch, rows: set[int]) -> dict[int, str]:
    """The ID numbers of the given rows of the batch, unsealed in memory only."""
    found: dict[int, str] = {}
    with open(sealed_path(batch), encoding="ascii") as f:
        for line in f:
            chunk = identity.unseal_chunk(line.strip())
            for row, number in zip(
                chunk.column("row").to_pylist(), chunk.column("id_number").to_pylist(), strict=True
            ):
                if row in rows:
                    found[row] = number
    return found


def registry_members() -> pa.Table:
    """Every member of the registry with a join key: a department file is matched against the whole
    registry, whichever area loaded it (the person may be registered in another county)."""
    from fanpin.monitoring.extract import read_table

    return read_table(
        f"SELECT {', '.join(c[1] for c in MEMBER_COLUMNS)} FROM registry_member m "
        f"JOIN registry_household h ON h.id = m.household_id WHERE {identity.REGISTRY_KEY_SQL} <> ''",
        [],
        MEMBER_COLUMNS,
    )


def medical_history(batch: DepartmentBatch, months: int) -> list[Path]:
    """The Parquet files of every medical batch that may hold records of the window ending with the
    batch's month (loaded by any area; a file's records may be settled up to a year before its month)."""
    end = batch.year * 12 + batch.month - 1
    paths = []
    batches = DepartmentBatch.objects.filter(
        source="medical",
        status__in=[
            DepartmentBatchStatus.LOADED,
            DepartmentBatchStatus.MATCHED,
            DepartmentBatchStatus.MATCHING,
        ],
    ).order_by("id")
    for other in batches.only("id", "year", "month", "file_path"):
        if end - months - 11 <= other.year * 12 + other.month - 1 <= end or other.pk == batch.pk:
            path = records_path(other)
            if path.exists():
                paths.append(path)
    return paths


def _records(con, batch: DepartmentBatch):
    return con.read_parquet(str(records_path(batch)))


def _match(con, batch: DepartmentBatch, members: pa.Table):
    import ibis

    from fanpin.matching.engine.departments import match_records

    return match_records(_records(con, batch), ibis.memtable(members))


def match_batch_records(
    batch: DepartmentBatch, *, engine: str = "duckdb", members: pa.Table | None = None
) -> dict:
    """Match the batch's records to the whole registry; list the people not found (one row each, a
    possible new household of the batch's area); the counts of matched and unmatched."""
    return _apply_match(batch, connect(engine), members if members is not None else registry_members())[0]


def _apply_match(batch: DepartmentBatch, con, members: pa.Table) -> tuple[dict, Any]:
    from fanpin.matching.engine.departments import unmatched_people

    matched = _match(con, batch, members)
    counts = con.to_pyarrow(
        matched.aggregate(
            matched=matched.household_id.count(),
            rows=matched.count(),
            matched_households=matched.household_id.nunique(),
        )
    ).to_pylist()[0]
    people = con.to_pyarrow(unmatched_people(matched).order_by("row"))
    numbers = sealed_numbers(batch, set(people.column("row").to_pylist())) if people.num_rows else {}
    sealed = identity.seal_many([numbers[r] for r in people.column("row").to_pylist()])
    people = people.append_column("id_sealed", pa.array(sealed, pa.string()))
    with transaction.atomic():
        DepartmentRecord.objects.filter(batch=batch).delete()
        _unmatched_write(batch, people)
    result = {
        "matched": counts["matched"],
        "unmatched": counts["rows"] - counts["matched"],
        "unmatched_people": people.num_rows,
        "matched_households": counts["matched_households"],
    }
    return result, matched


def _unmatched_write(batch: DepartmentBatch, people: pa.Table) -> None:
    """The people not in the registry, one row each: through COPY on PostgreSQL (a province's 医保 month
    has some 200,000 of them), else in chunks of model objects."""
    if connection.vendor == "postgresql":
        import io
        import json

        import pyarrow.csv as pcsv

        n = people.num_rows
        table = pa.table(
            {
                "batch_id": pa.array([batch.pk] * n, pa.int64()),
                "row": people.column("row"),
                "id_number": people.column("id_sealed"),
                "name": pa.array([(v or "")[:50] for v in people.column("name").to_pylist()], pa.string()),
                "fields": pa.array(
                    [json.dumps({"rows": r}) for r in people.column("rows").to_pylist()], pa.string()
                ),
                "category": pa.array([""] * n, pa.string()),
                "status": pa.array([""] * n, pa.string()),
            }
        )
        buffer = io.BytesIO()
        pcsv.write_csv(table, buffer, pcsv.WriteOptions(include_header=False, quoting_style="all_valid"))
        with connection.cursor() as cursor:
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            columns = ", ".join(f'"{c}"' for c in table.column_names)
            with raw.copy(f"COPY monitoring_departmentrecord ({columns}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        return
    for chunk in people.to_batches(max_chunksize=5000):
        DepartmentRecord.objects.bulk_create(
            DepartmentRecord(
                batch=batch,
                row=p["row"],
                id_number=p["id_sealed"],
                name=(p["name"] or "")[:50],
                fields={"rows": p["rows"]},
            )
            for p in chunk.to_pylist()
        )


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
    batch's month and source — anywhere in the registry, as the batch's people may live anywhere: a
    department lead never duplicates them."""
    monitored = Household.objects.filter(category__gt="", risk_eliminated=False).values_list("id", flat=True)
    open_leads = Lead.objects.filter(status=LeadStatus.OPEN).values_list("household_id", flat=True)
    same_month = Lead.objects.filter(year=batch.year, month=batch.month, source=batch.source).values_list(
        "household_id", flat=True
    )
    return set(monitored) | set(open_leads) | set(same_month)


def department_batch_match(
    *,
    batch: DepartmentBatch,
    engine: str = "duckdb",
    on_progress: Callable[[int, int], None] | None = None,
    members: pa.Table | None = None,
) -> dict:
    """Re-match the batch to the whole registry, run its source's rules and write the leads, each in
    the village of the household the person belongs to. `members`: the registry as read by
    registry_members(), when several batches are matched in a row."""
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
    con = connect(engine)
    if members is None:
        members = registry_members()
    matched_counts, matched = _apply_match(batch, con, members)
    progress(1, 3)
    excluded = excluded_households(batch)
    history = None
    if batch.source == "medical":
        parts = [
            con.read_parquet(str(p)).select(*HISTORY_COLUMNS)
            for p in medical_history(batch, params.oop_months)
        ]
        history = ibis.union(*parts) if len(parts) > 1 else parts[0]
    rows = department_rows(
        batch.source,
        matched,
        ibis.memtable(members),
        params=params,
        year=batch.year,
        month=batch.month,
        history=history,
    )
    rows = ibis.memtable(con.to_pyarrow(rows))  # the triggered households: small, read twice below
    triggered = con.to_pyarrow(rows.select("household_id").distinct()).num_rows
    excluded_table = pa.table({"household_id": pa.array(sorted(excluded), type=pa.int64())})
    candidates = con.to_pyarrow(department_candidates(rows, ibis.memtable(excluded_table))).to_pylist()
    progress(2, 3)
    by_household: dict[int, list[dict]] = {}
    for row in candidates:
        by_household.setdefault(row["household_id"], []).append(row)
    leads = []
    for household_id, household_rows in by_household.items():
        category, risks, reason, figures = compose(
            batch.source, household_rows, params, household_type=household_rows[0]["household_type"] or ""
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
    with transaction.atomic():
        # The unique constraint (household, month, source) is the last guard against a duplicate lead.
        Lead.objects.bulk_create(leads, batch_size=2000, ignore_conflicts=True)
        counts = {
            **DepartmentBatch.objects.get(pk=batch.pk).counts,
            **matched_counts,
            "engine": engine,
            "triggered": triggered,
            "leads": len(leads),
            "skipped_open_or_monitored": triggered - len(leads),
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

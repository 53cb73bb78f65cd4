"""部门数据 loading: upload → checks (format, same file) → background job that reads, validates, keeps
the valid rows and matches them to members. A refused file keeps nothing."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division
from fanpin.monitoring.departments.formats import format_for
from fanpin.monitoring.departments.match import match_batch_records
from fanpin.monitoring.departments.parse import Issue, check_header, parse_rows
from fanpin.monitoring.departments.reader import SUFFIXES, DepartmentFile
from fanpin.monitoring.models import DepartmentBatch, DepartmentBatchStatus, DepartmentIssue, DepartmentRecord

CHUNK = 5_000
ISSUES_KEPT = 10_000  # issues listed per batch; all are counted


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def earlier_batch(sha256: str) -> DepartmentBatch | None:
    return (
        DepartmentBatch.objects.filter(sha256=sha256)
        .exclude(status=DepartmentBatchStatus.FAILED)
        .order_by("id")
        .first()
    )


def _refuse_duplicate(batch: DepartmentBatch, file_name: str) -> ApplicationError:
    return ApplicationError(
        f"文件“{file_name}”与 {timezone.localtime(batch.created_at):%Y-%m-%d %H:%M} 导入的文件相同，已导入过：第 {batch.pk} 批"
        f"（{batch.get_source_display()}，{batch.file_name}，{batch.year}-{batch.month:02d}），不能重复导入。"
    )


@transaction.atomic
def department_batch_create(
    *,
    actor: Any,
    source: str,
    path: Path | str,
    file_name: str,
    area_code: str,
    year: int,
    month: int,
) -> tuple[DepartmentBatch, Job]:
    """Register an uploaded department file (saved at `path`) and queue its loading."""
    check_permission(actor, Permission.UPLOAD_DEPARTMENT_DATA, area_code)
    fmt = format_for(source)
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"区划代码“{area_code}”不存在。")
    if not (2020 <= year <= 2100 and 1 <= month <= 12):
        raise ApplicationError(f"月份 {year}-{month:02d} 不合理。")
    if Path(file_name).suffix.lower() not in SUFFIXES:
        raise ApplicationError(f"文件“{file_name}”的格式不支持：请上传 .csv、.xlsx 或 .parquet 文件。")
    path = Path(path)
    sha256 = file_sha256(path)
    earlier = earlier_batch(sha256)
    if earlier is not None:
        raise _refuse_duplicate(earlier, file_name)
    check_header(DepartmentFile(path, name=file_name), fmt)
    folder = Path(settings.FANPIN_HOME) / "departments" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"source{Path(file_name).suffix.lower()}"
    shutil.copyfile(path, target)
    try:
        with transaction.atomic():
            batch = DepartmentBatch.objects.create(
                source=source,
                file_name=file_name,
                file_path=str(target),
                sha256=sha256,
                area_code=area_code,
                year=year,
                month=month,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # the same file, loaded at the same moment by someone else
        shutil.rmtree(folder, ignore_errors=True)
        raise _refuse_duplicate(earlier_batch(sha256), file_name) from None
    audit_record(actor=actor, action="departments.upload", obj=batch, area_code=area_code, note=file_name)
    job = job_enqueue(
        kind="departments.load",
        title=f"读取{fmt.label}数据 {file_name}",
        params={"batch": batch.pk},
        actor=actor,
        area_code=area_code,
    )
    return batch, job


def _record(batch: DepartmentBatch, parsed) -> DepartmentRecord:
    v = parsed.values
    return DepartmentRecord(
        batch=batch,
        row=parsed.row,
        id_number=parsed.id_number,
        name=parsed.name[:50],
        fields=parsed.fields,
        year=v.get("year"),
        month=v.get("month"),
        amount=v.get("amount"),
        total_cost=v.get("total_cost"),
        category=str(v.get("category", ""))[:100],
        status=str(v.get("status", ""))[:20],
    )


def department_batch_load(
    *, batch: DepartmentBatch, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    """Read, validate and keep the valid rows (all or nothing), then match them to members."""
    updated = DepartmentBatch.objects.filter(pk=batch.pk, status=DepartmentBatchStatus.QUEUED).update(
        status=DepartmentBatchStatus.LOADING
    )
    if not updated:
        raise ApplicationError("该批次已读取过或正在读取。")
    progress = on_progress or (lambda d, t: None)
    fmt = format_for(batch.source)
    progress(0, 3)
    file = DepartmentFile(batch.file_path, name=batch.file_name)
    check_header(file, fmt)
    records: list[DepartmentRecord] = []
    issues: list[DepartmentIssue] = []
    bad_rows: set[int] = set()
    by_column: dict[str, int] = {}
    rows = 0
    for item in parse_rows(file, fmt):
        if isinstance(item, Issue):
            bad_rows.add(item.row)
            by_column[item.column] = by_column.get(item.column, 0) + 1
            if len(issues) < ISSUES_KEPT:
                issues.append(
                    DepartmentIssue(
                        batch=batch,
                        row=item.row,
                        column=item.column[:100],
                        value=item.value[:200],
                        message=item.message[:500],
                    )
                )
        else:
            records.append(_record(batch, item))
        rows = len(records) + len(bad_rows)
    progress(1, 3)
    with transaction.atomic():
        DepartmentRecord.objects.bulk_create(records, batch_size=CHUNK)
        DepartmentIssue.objects.bulk_create(issues, batch_size=CHUNK)
    progress(2, 3)
    matched = match_batch_records(batch)
    counts = {
        "rows": rows,
        "kept": len(records),
        "bad_rows": len(bad_rows),
        "issues": sum(by_column.values()),
        "issues_by_column": by_column,
        **matched,
    }
    DepartmentBatch.objects.filter(pk=batch.pk).update(status=DepartmentBatchStatus.LOADED, counts=counts)
    audit_record(
        actor=batch.created_by or "系统",
        action="departments.load",
        obj=batch,
        area_code=batch.area_code,
        after={k: v for k, v in counts.items() if k != "issues_by_column"},
    )
    progress(3, 3)
    return counts


def department_batch_fail(*, batch: DepartmentBatch, message: str) -> None:
    """A load that failed keeps nothing: its records and issues are removed."""
    with transaction.atomic():
        DepartmentRecord.objects.filter(batch=batch).delete()
        DepartmentIssue.objects.filter(batch=batch).delete()
        DepartmentBatch.objects.filter(pk=batch.pk).update(
            status=DepartmentBatchStatus.FAILED, message=message[:2000]
        )

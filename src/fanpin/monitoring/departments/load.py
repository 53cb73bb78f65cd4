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
from fanpin.monitoring.departments import identity
from fanpin.monitoring.departments.formats import format_for
from fanpin.monitoring.departments.match import records_path, sealed_path
from fanpin.monitoring.departments.parse import Issue, check_header
from fanpin.monitoring.departments.reader import SUFFIXES
from fanpin.monitoring.departments.stream import open_stream
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
    check_header(open_stream(path, name=file_name), fmt)
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


def _drop_source(batch: DepartmentBatch) -> None:
    """The uploaded file is not kept once read: its valid rows live on as records.parquet."""
    Path(batch.file_path).unlink(missing_ok=True)


def department_batch_load(
    *, batch: DepartmentBatch, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    """Read the file in chunks, validate, keep the valid rows as Parquet (all or nothing) and list the
    issues. Memory stays bounded whatever the file's size (chunks of fanpin.monitoring.departments
    .stream.CHUNK_ROWS rows). Matching is the next step (department_batch_match)."""
    import pyarrow.parquet as pq

    from fanpin.monitoring.departments.stream import _names, chunks, open_stream
    from fanpin.monitoring.departments.validate import ChunkValidator

    updated = DepartmentBatch.objects.filter(pk=batch.pk, status=DepartmentBatchStatus.QUEUED).update(
        status=DepartmentBatchStatus.LOADING
    )
    if not updated:
        raise ApplicationError("该批次已读取过或正在读取。")
    progress = on_progress or (lambda d, t: None)
    fmt = format_for(batch.source)
    stream = open_stream(batch.file_path, name=batch.file_name)
    check_header(stream, fmt)
    validator = ChunkValidator(fmt, stream.header, _names(stream))
    target = records_path(batch)
    partial = target.with_suffix(".partial")
    sealed_partial = sealed_path(batch).with_suffix(".partial")
    sealed = open(sealed_partial, "w", encoding="ascii")  # noqa: SIM115 — closed below, on every path
    issues: list[DepartmentIssue] = []
    by_column: dict[str, int] = {}
    rows = kept = bad_rows = 0
    writer = None
    total = max(stream.progress.total, 1)
    progress(0, total)
    try:
        for first_row, table in chunks(stream):
            result = validator.validate(first_row, table)
            rows += result.rows
            bad_rows += result.bad_rows
            for item in result.issues:
                by_column[item.column] = by_column.get(item.column, 0) + 1
                if len(issues) < ISSUES_KEPT:
                    issues.append(_issue(batch, item))
            out = _stored(batch, result.valid)
            if result.valid.num_rows:  # the numbers themselves only sealed, one token per chunk
                sealed.write(
                    identity.seal_chunk(
                        result.valid.column("row").combine_chunks(),
                        result.valid.column("id_number").combine_chunks(),
                    )
                    + "\n"
                )
            if writer is None:
                writer = pq.ParquetWriter(partial, out.schema, compression="zstd")
            writer.write_table(out)
            kept += out.num_rows
            progress(min(stream.progress.done, total - 1), total)
        for number, text in stream.bad_lines:  # .csv lines with more or fewer cells than the header
            rows += 1
            bad_rows += 1
            by_column["整行"] = by_column.get("整行", 0) + 1
            if len(issues) < ISSUES_KEPT:
                message = "该行的列数与表头不一致（可能有未成对的引号或多余的逗号）"
                issues.append(_issue(batch, Issue(number or 0, "整行", text, message)))
    except BaseException:
        if writer is not None:
            writer.close()
        partial.unlink(missing_ok=True)
        sealed.close()
        sealed_partial.unlink(missing_ok=True)
        raise
    if writer is None:
        from fanpin.monitoring.departments.validate import VALID_SCHEMA

        writer = pq.ParquetWriter(partial, _stored(batch, VALID_SCHEMA.empty_table()).schema)
    writer.close()
    partial.rename(target)
    sealed.close()
    sealed_partial.rename(sealed_path(batch))
    _drop_source(batch)
    DepartmentIssue.objects.bulk_create(issues, batch_size=CHUNK)
    progress(total, total)
    # Matching (against the whole registry) is the next step, 生成预警线索: it lists the people not found.
    counts = {
        "rows": rows,
        "kept": kept,
        "bad_rows": bad_rows,
        "issues": sum(by_column.values()),
        "issues_by_column": by_column,
    }
    with transaction.atomic():
        DepartmentBatch.objects.filter(pk=batch.pk).update(status=DepartmentBatchStatus.LOADED, counts=counts)
        audit_record(
            actor=batch.created_by or "系统",
            action="departments.load",
            obj=batch,
            area_code=batch.area_code,
            after={k: v for k, v in counts.items() if k != "issues_by_column"},
        )
    return counts


def _stored(batch: DepartmentBatch, valid):
    """What is kept of the valid rows in records.parquet: the join key instead of the number, and the
    period (year × 12 + month − 1) each record counts for — its own month, else the batch's."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = valid.column("id_number").combine_chunks()
    year = pc.fill_null(valid.column("year"), batch.year)
    month = pc.fill_null(valid.column("month"), batch.month)
    period = pc.subtract(pc.add(pc.multiply(year, 12), month), 1).cast(pa.int64())
    out = valid.drop_columns(["id_number"]).add_column(1, "id_key", identity.keys(numbers))
    return out.append_column("period", period)


def _issue(batch: DepartmentBatch, item: Issue) -> DepartmentIssue:
    return DepartmentIssue(
        batch=batch,
        row=item.row,
        column=item.column[:100],
        value=item.value[:200],
        message=item.message[:500],
    )


def department_batch_fail(*, batch: DepartmentBatch, message: str) -> None:
    """A load that failed keeps nothing: its records and issues are removed."""
    with transaction.atomic():
        DepartmentRecord.objects.filter(batch=batch).delete()
        DepartmentIssue.objects.filter(batch=batch).delete()
        DepartmentBatch.objects.filter(pk=batch.pk).update(
            status=DepartmentBatchStatus.FAILED, message=message[:2000]
        )
    records_path(batch).unlink(missing_ok=True)
    sealed_path(batch).unlink(missing_ok=True)
    _drop_source(batch)

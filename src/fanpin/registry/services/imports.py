"""Staged imports of the national export: upload → parse job → review → merge job (one transaction)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.registry.models import ImportBatch, ImportIssue
from fanpin.registry.models.import_batch import ImportStatus, MergeMode
from fanpin.registry.national.flow import batch_transition

ALLOWED_SUFFIXES = {".xlsx", ".csv"}


def import_folder() -> Path:
    folder = Path(settings.FANPIN_HOME) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@transaction.atomic
def import_create(
    *, actor: Any, source: Path, file_name: str, area_code: str, year: int | None, kind: str = "national"
) -> tuple[ImportBatch, Job]:
    """Register an uploaded file (already saved at `source`) as a batch and queue its parsing."""
    check_permission(actor, Permission.EDIT, area_code)
    suffix = Path(file_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ApplicationError(f"文件“{file_name}”的格式不支持：请上传 .xlsx 或 .csv 文件。")
    if year is not None and not (2000 <= year <= 2100):
        raise ApplicationError(f"收入所属年度 {year} 不合理。")
    target = import_folder() / f"source{suffix}"
    shutil.copyfile(source, target)
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=file_name,
        file_path=str(target),
        area_code=area_code,
        year=year,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="import.upload", obj=batch, area_code=area_code, note=file_name)
    job = job_enqueue(
        kind="registry.import_parse",
        title=f"解析 {file_name}",
        params={"batch": batch.pk},
        actor=actor,
        area_code=area_code,
    )
    return batch, job


@transaction.atomic
def import_merge_request(*, actor: Any, batch: ImportBatch, mode: str) -> Job:
    check_permission(actor, Permission.EDIT, batch.area_code)
    if mode not in MergeMode.values:
        raise ApplicationError("请选择导入方式：全部导入，或只导入无错误的户。")
    if batch.status != ImportStatus.REVIEW:
        raise ApplicationError(f"导入批次当前状态为“{batch.get_status_display()}”，不能导入。")
    if mode == MergeMode.ALL and batch.error_count:
        raise ApplicationError(
            f"该文件有 {batch.error_count} 处错误，不能全部导入。请改正后重新上传，或选择“只导入无错误的户”。"
        )
    if batch.counts.get("blocking"):
        raise ApplicationError("文件中有不属于任何户的错误行（如户编号为空），请改正后重新上传。")
    if mode == MergeMode.VALID and not batch.counts.get("valid_households"):
        raise ApplicationError("没有无错误的户可以导入。")
    batch_transition(batch, ImportStatus.MERGING, merge_mode=mode)
    return job_enqueue(
        kind="registry.import_merge",
        title=f"导入 {batch.file_name}",
        params={"batch": batch.pk, "mode": mode},
        actor=actor,
        area_code=batch.area_code,
    )


@transaction.atomic
def import_cancel(*, actor: Any, batch: ImportBatch) -> None:
    check_permission(actor, Permission.EDIT, batch.area_code)
    batch_transition(batch, "cancelled")
    audit_record(actor=actor, action="import.cancel", obj=batch, area_code=batch.area_code)


def save_issues(batch: ImportBatch, issues) -> None:
    ImportIssue.objects.filter(batch=batch).delete()
    ImportIssue.objects.bulk_create(
        (
            ImportIssue(
                batch=batch,
                level=i.level,
                row=i.row,
                column=i.column[:100],
                value=i.value[:200],
                message=i.message[:500],
                household_code=i.household_code[:32],
            )
            for i in issues
        ),
        batch_size=5000,
    )

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fanpin.core.scope import restrict
from fanpin.monitoring.models import DepartmentBatch, DepartmentIssue, DepartmentRecord


def batch_list(*, user: Any, filters: dict | None = None) -> QuerySet[DepartmentBatch]:
    qs = restrict(DepartmentBatch.objects.select_related("created_by"), user=user, field="area_code")
    f = filters or {}
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    area = (f.get("area") or "").strip()
    if area.isdigit():
        qs = qs.filter(area_code__startswith=area)
    return qs


def batch_get(*, user: Any, batch_id: int) -> DepartmentBatch:
    batch = batch_list(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("部门数据批次不存在或不在您的管辖范围内")
    return batch


def batch_issues(*, batch: DepartmentBatch) -> QuerySet[DepartmentIssue]:
    return DepartmentIssue.objects.filter(batch=batch).order_by("row", "id")


def batch_unmatched(*, batch: DepartmentBatch) -> QuerySet[DepartmentRecord]:
    """People of the batch not found in the registry of its area: possibly a new household."""
    return DepartmentRecord.objects.filter(batch=batch, household__isnull=True).order_by("row")

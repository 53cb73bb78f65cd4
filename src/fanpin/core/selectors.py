from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fanpin.core.models import AuditEvent, Job
from fanpin.core.scope import area_prefix, restrict


def job_list(*, user: Any) -> QuerySet[Job]:
    """Jobs a user may see: their own, and those of their area."""
    prefix = area_prefix(user)
    if prefix is None:
        return Job.objects.none()
    if prefix == "":
        return Job.objects.all()
    return Job.objects.filter(Q(created_by=user) | (Q(area_code__startswith=prefix) & ~Q(area_code="")))


def job_get(*, user: Any, job_id: int) -> Job:
    job = job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("任务不存在或您无权查看")
    return job


def audit_event_list(*, user: Any) -> QuerySet[AuditEvent]:
    """Audit events whose object lies in the user's area (events without an area: unscoped users only)."""
    qs = restrict(AuditEvent.objects.select_related("actor"), user=user, field="area_code")
    prefix = area_prefix(user)
    if prefix:
        qs = qs.exclude(area_code="")
    return qs

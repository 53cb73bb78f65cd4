from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

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


# Kinds of audit event an inspector filters by (审计日志 → 操作类别): label and the actions they cover.
AUDIT_KINDS: dict[str, tuple[str, Q]] = {
    "reveal": ("查看完整个人信息", Q(action__endswith="reveal")),
    "export": ("全量导出", Q(action__startswith="export.") | Q(action__endswith=".export")),
    "account": ("登录与账号", Q(action__startswith="user.")),
    "household": (
        "农户档案修改",
        Q(action__startswith="household.")
        | Q(action__startswith="member.")
        | Q(action__startswith="income."),
    ),
    "import": ("导入", Q(action__startswith="import.") | Q(action__contains="import_")),
    "case": ("识别与消除", Q(action__startswith="case.")),
    "monitoring": (
        "监测、线索与部门数据",
        Q(action__startswith="monitoring.")
        | Q(action__startswith="lead.")
        | Q(action__startswith="departments.")
        | Q(action__startswith="policy."),
    ),
    "assistance": ("帮扶", Q(action__startswith="assistance.")),
    "ledger": ("台账", Q(action__startswith="ledger.")),
    "quality": ("数据质量", Q(action__startswith="quality.")),
    "system": (
        "区划、备份与审计",
        Q(action__startswith="divisions.")
        | Q(action__startswith="system.")
        | Q(action__startswith="audit.")
        | Q(action__startswith="reports."),
    ),
}


def audit_event_list(*, user: Any, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events whose object lies in the user's area (events without an area: unscoped users only).

    filters (cleaned by core.forms.AuditFilterForm): start/end (dates, inclusive), actor (part of the
    account name), kind (AUDIT_KINDS), action (prefix), object (户编号 or object number exactly, or
    part of the object's name), area (a division code prefix; outside the user's area it finds nothing).
    """
    qs = restrict(AuditEvent.objects.select_related("actor"), user=user, field="area_code")
    prefix = area_prefix(user)
    if prefix:
        qs = qs.exclude(area_code="")
    f = filters or {}
    if f.get("start"):
        qs = qs.filter(created_at__gte=_day_start(f["start"]))
    if f.get("end"):
        qs = qs.filter(created_at__lt=_day_start(f["end"] + timedelta(days=1)))
    if f.get("actor"):
        qs = qs.filter(actor_name__icontains=f["actor"])
    if f.get("kind") in AUDIT_KINDS:
        qs = qs.filter(AUDIT_KINDS[f["kind"]][1])
    if f.get("action"):
        qs = qs.filter(action__startswith=f["action"])
    if f.get("object"):
        text = f["object"]
        qs = qs.filter(Q(subject=text) | Q(object_id=text) | Q(object_repr__icontains=text))
    if f.get("area"):
        qs = qs.filter(area_code__startswith=f["area"])
    return qs


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))

"""audit_record: every state change writes one AuditEvent in the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fanpin.core.bulk import insert_rows
from fanpin.core.masking import seal_values
from fanpin.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    subject: str = "",
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=getattr(actor, "username", "") or (actor if isinstance(actor, str) else "系统"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        area_code=area_code,
        before=seal_values(before),  # personal data encrypted (core/masking.py)
        after=seal_values(after),
        note=note,
        subject=subject,
    )


class AuditBuffer:
    """Audit events of a bulk operation (an import merge), written together by `flush()` inside the
    caller's transaction. `changed` is {field: (before, after)}. The events are kept as rows and
    written through the raw bulk path (fanpin.core.bulk), so an import of a million rows can afford
    one event per household; `flush()` may be called as often as wanted (say, once per chunk)."""

    COLUMNS = (
        "created_at",
        "actor_id",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "subject",
        "area_code",
        "before",
        "after",
        "note",
    )

    def __init__(self, actor: Any):
        self.actor = actor if getattr(actor, "pk", None) else None
        self.actor_id = self.actor.pk if self.actor is not None else None
        self.actor_name = getattr(actor, "username", None) or str(actor)
        self.events: list[tuple] = []

    def add(
        self,
        *,
        action: str,
        object_type: str,
        object_repr: str,
        subject: str = "",
        area_code: str = "",
        object_id: str = "",
        changed: dict | None = None,
        after: dict | None = None,
        note: str = "",
    ) -> None:
        if changed:
            before = {k: _plain(v[0]) for k, v in changed.items()}
            after = {k: _plain(v[1]) for k, v in changed.items()}
        else:
            before = None
        before, after = seal_values(before), seal_values(after)
        self.events.append(
            (
                action,
                object_type,
                object_id,
                object_repr[:200],
                subject,
                area_code,
                None if before is None else json.dumps(before),
                None if after is None else json.dumps(after),
                note,
            )
        )

    def flush(self) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("AuditBuffer.flush must run inside the operation's transaction")
        if not self.events:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        head = (now, self.actor_id, self.actor_name)
        insert_rows(AuditEvent, self.COLUMNS, (head + event for event in self.events))
        self.events = []


def _plain(value: Any) -> Any:
    from datetime import date
    from decimal import Decimal

    if isinstance(value, Decimal | date):
        return str(value)
    return value


# --- Export of the audit page (审计日志导出) --------------------------------------------------------
AUDIT_EXPORT_HEADERS = ["时间", "操作人", "操作", "对象", "所属记录", "区划", "修改前", "修改后", "说明"]
_FILTER_LABELS = {
    "start": "开始日期",
    "end": "结束日期",
    "kind": "操作类别",
    "action": "操作",
    "actor": "操作人",
    "object": "对象",
    "area": "区划",
}


@transaction.atomic
def audit_export_record(*, actor: Any, filters: dict, count: int) -> AuditEvent:
    """An export of audit events is itself audited: who, which filters, how many events."""
    shown = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    note = "；".join(f"{_FILTER_LABELS.get(k, k)}={v}" for k, v in shown.items()) or "无筛选条件"
    return audit_record(
        actor=actor,
        action="audit.export",
        object_type="core.auditevent",
        object_repr=f"导出审计日志 {count} 条",
        area_code=getattr(actor, "area_code", "") or "",
        after={"count": count},  # the filters are in the note, as people read them
        note=note,
    )


def audit_export_rows(qs, *, user: Any):
    """The events as rows, personal data masked as on every page and health hidden from roles without
    Permission.VIEW_HEALTH (fanpin.core.health)."""
    from django.utils import timezone as tz

    from fanpin.core.health import health_text, health_values
    from fanpin.core.masking import mask_values

    def text(values) -> str:
        if values is not None and not isinstance(values, dict):
            return str(values)
        values = health_values(mask_values(values), user)
        return "；".join(f"{k}={'' if v is None else v}" for k, v in (values or {}).items())

    for e in qs.iterator(chunk_size=2000):
        yield [
            tz.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.action,
            e.object_repr,
            e.subject,
            e.area_code,
            text(e.before),
            text(e.after),
            health_text(e.note, user),
        ]

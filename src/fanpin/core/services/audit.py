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

"""audit_record: every state change writes one AuditEvent in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

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
        before=before,
        after=after,
        note=note,
        subject=subject,
    )

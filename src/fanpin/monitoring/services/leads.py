"""Village verification of leads: verified (to identification) or dismissed, with what was found."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.monitoring.choices import LeadStatus
from fanpin.monitoring.models import Lead


@transaction.atomic
def lead_handle(*, actor: Any, lead: Lead, status: str, note: str) -> Lead:
    locked = Lead.objects.select_for_update().select_related("household").get(pk=lead.pk)
    check_permission(actor, Permission.EDIT, locked.household.village_id)
    if status not in (LeadStatus.VERIFIED, LeadStatus.DISMISSED):
        raise ApplicationError("请选择核实结果：属实（转入识别）或排除。")
    if locked.status != LeadStatus.OPEN:
        raise ApplicationError(f"该线索已{locked.get_status_display()}，不能重复处理。")
    note = (note or "").strip()
    if len(note) < 2:
        raise ApplicationError("请填写核实情况（如入户核实的结果）。")
    locked.status = status
    locked.handled_by = actor if getattr(actor, "pk", None) else None
    locked.handled_at = timezone.now()
    locked.handling_note = note
    locked.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
    audit_record(
        actor=actor,
        action=f"lead.{status}",
        obj=locked,
        subject=locked.household.code,
        area_code=locked.household.village_id,
        note=note[:500],
    )
    return locked

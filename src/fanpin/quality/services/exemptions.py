"""校验豁免: a finding that is a real exception, with a reason; a township (乡镇审核) or county (县级审定)
officer approves or rejects it. Approved, it stops counting in the score; the latest registry run of
every area that holds the household is rescored at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.matching.engine.quality import BY_CODE
from fanpin.quality.choices import ExemptionStatus, RunSource, RunStatus
from fanpin.quality.models import Exemption, QualityRun
from fanpin.registry.models import Household

# One state machine: pending → approved | rejected; approved → revoked.
TRANSITIONS = {
    ExemptionStatus.PENDING: {ExemptionStatus.APPROVED, ExemptionStatus.REJECTED},
    ExemptionStatus.APPROVED: {ExemptionStatus.REVOKED},
    ExemptionStatus.REJECTED: set(),
    ExemptionStatus.REVOKED: set(),
}


def _can_decide(actor: Any, area_code: str) -> None:
    if not getattr(actor, "pk", None):
        return
    if not actor.has_role_permission(Permission.DECIDE_EXEMPTION):
        raise PermissionDenied("豁免须由乡镇（审核）或县级（审定）工作人员审批")
    check_permission(actor, Permission.VIEW, area_code)


@transaction.atomic
def exemption_request(*, actor: Any, household: Household, code: str, reason: str) -> Exemption:
    check_permission(actor, Permission.EDIT, household.village_id)
    rule = BY_CODE.get(code)
    if rule is None:
        raise ApplicationError(f"规则编号“{code}”不存在。")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ApplicationError("请写明豁免理由（至少 4 个字），例如经入户核实的实际情况。")
    if Exemption.objects.filter(
        household=household, code=code, status__in=[ExemptionStatus.PENDING, ExemptionStatus.APPROVED]
    ).exists():
        raise ApplicationError(f"户 {household.code} 的规则 {code} 已有待审批或已批准的豁免。")
    exemption = Exemption.objects.create(
        household=household,
        village_code=household.village_id,
        code=code,
        reason=reason,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="quality.exemption_request",
        obj=exemption,
        subject=household.code,
        area_code=household.village_id,
        after={"code": code, "reason": reason},
    )
    return exemption


@transaction.atomic
def exemption_decide(*, actor: Any, exemption: Exemption, status: str, note: str = "") -> Exemption:
    locked = Exemption.objects.select_for_update().get(pk=exemption.pk)
    _can_decide(actor, locked.village_code)
    if status not in TRANSITIONS.get(locked.status, set()):
        raise ApplicationError(
            f"该豁免当前为“{locked.get_status_display()}”，不能改为“{ExemptionStatus(status).label}”。"
        )
    if (
        getattr(actor, "pk", None)
        and locked.requested_by_id == actor.pk
        and status == ExemptionStatus.APPROVED
    ):
        raise ApplicationError("申请人不能审批自己的豁免申请，请由其他乡镇或县级工作人员审批。")
    before = locked.status
    locked.status = status
    locked.decided_by = actor if getattr(actor, "pk", None) else None
    locked.decided_at = timezone.now()
    locked.decision_note = (note or "")[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="quality.exemption_decide",
        obj=locked,
        area_code=locked.village_code,
        before={"status": before},
        after={"status": status, "note": locked.decision_note},
    )
    if status in (ExemptionStatus.APPROVED, ExemptionStatus.REVOKED):
        _rescore_latest(locked.village_code)
    return locked


def _rescore_latest(village_code: str) -> None:
    from fanpin.quality.services.runs import quality_rescore

    areas = [village_code[:n] for n in (2, 4, 6, 9, 12)]
    for area in areas:
        run = (
            QualityRun.objects.filter(source=RunSource.REGISTRY, status=RunStatus.DONE, area_code=area)
            .order_by("-created_at", "-id")
            .first()
        )
        if run is not None:
            quality_rescore(run=run)

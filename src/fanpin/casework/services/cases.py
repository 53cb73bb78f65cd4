"""Writes of casework: opening cases, running their transitions (flows.py), documents, objections.

Every function checks the actor's permission within the household's area, locks the case row, and
writes one CaseStep and one audit event per state change. The registry household's monitoring fields
change only here, through registry's household_update (which audits them too)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.casework import flows
from fanpin.casework.choices import CaseKind, CaseStatus, Channel, DocumentKind
from fanpin.casework.models import Case, CaseDocument, CaseStep, NoticeObjection
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.monitoring.choices import LeadStatus
from fanpin.monitoring.models import Lead
from fanpin.registry.choices import EliminationMethod
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_update

ALLOWED_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _actor_user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def _actor_name(actor: Any) -> str:
    return getattr(actor, "username", "") or (actor if isinstance(actor, str) else "系统")


def _day(on: date | None, *, not_before: date | None = None, what: str = "办理日期") -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ApplicationError(f"{what} {on:%Y-%m-%d} 晚于今天，请填写实际办理的日期。")
    if not_before and on < not_before:
        raise ApplicationError(f"{what} {on:%Y-%m-%d} 早于上一环节的日期 {not_before:%Y-%m-%d}，请核对。")
    return on


def _risks(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.replace("，", "|").replace(",", "|").replace("、", "|").split("|")
    return [r.strip() for r in value if r and r.strip()]


def _income(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ApplicationError(f"人均纯收入应为金额（元），实际为“{value}”。") from None
    if not number.is_finite() or number < 0:
        raise ApplicationError("人均纯收入不能为负数。")
    return number.quantize(Decimal("0.01"))


def _record(case: Case, *, actor, action: str, from_status: str, on: date, reason: str = "", data=None):
    step = CaseStep.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        on=on,
        actor=_actor_user(actor),
        actor_name=_actor_name(actor),
        reason=reason,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        subject=case.household.code,
        area_code=case.household.village_id,
        before={"status": from_status} if from_status else None,
        after={"status": case.status, "on": on.isoformat(), **(data or {})},
        note=reason[:500],
    )
    return step


def _lock_household(household: Household) -> Household:
    return Household.objects.select_for_update().select_related("village").get(pk=household.pk)


@transaction.atomic
def case_open(
    *,
    actor: Any,
    household: Household,
    kind: str,
    channel: str = "",
    on: date | None = None,
    lead: Lead | None = None,
    summary: str = "",
    category: str = "",
    risk_types: Any = None,
    elimination_method: str = "",
    per_capita_income: Any = None,
) -> Case:
    """Register a clue (识别纳入) or propose an elimination (风险消除): the case starts at 入户核实."""
    household = _lock_household(household)
    check_permission(actor, Permission.EDIT, household.village_id)
    on = _day(on, what="发现线索（提出）日期")
    summary = (summary or "").strip()
    case = Case(household=household, kind=kind, summary=summary, created_by=_actor_user(actor))
    if kind == CaseKind.IDENTIFICATION:
        if household.category and not household.risk_eliminated:
            raise flows.refuse(
                "已是监测对象",
                f"该户已是{household.category}（识别监测时间 {household.identified_month or '未填'}），"
                "无需再次识别；如有新的风险，请在户页面修改风险类型。",
            )
        if channel not in (Channel.LEAD, Channel.APPLICATION, Channel.CADRE):
            raise ApplicationError("请选择线索来源：预警线索、农户自主申报或基层干部排查。")
        case.channel = channel
        case.reflag = household.risk_eliminated
        if channel == Channel.LEAD:
            lead = _take_up_lead(actor=actor, lead=lead, household=household)
            case.lead = lead
            category = category or lead.suggested_category
            risk_types = risk_types or lead.risk_list
            summary = summary or lead.reason
        elif len(summary) < 2:
            raise ApplicationError("请填写线索或申请情况（如农户反映的困难、干部排查发现的问题）。")
        case.summary = summary
        case.category = category or ""
        risks = _risks(risk_types)
        if risks:
            flows.check_identification_decision(category or "脱贫不稳定户", risks)
        case.risk_types = "|".join(risks)
    elif kind == CaseKind.ELIMINATION:
        if not household.category or household.risk_eliminated:
            raise flows.refuse("须为监测对象", "该户不是在监测的监测对象（或风险已消除），不能提出风险消除。")
        case.channel = Channel.PROPOSAL
        if elimination_method not in EliminationMethod.values:
            raise ApplicationError("请选择风险消除方式：帮扶消除或自然消除。")
        case.elimination_method = elimination_method
        income = _income(per_capita_income)
        case.per_capita_income = income if income is not None else household.per_capita_income
        problems = flows.elimination_refusals(case, on)
        if problems:
            raise ApplicationError(
                "不能提出风险消除：" + "；".join(problems), details=[{"reason": p} for p in problems]
            )
    else:
        raise ApplicationError("业务类型应为识别纳入或风险消除。")
    flows.start(case, on)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        open_case = Case.objects.filter(
            household=household, kind=kind, status__in=flows.OPEN_STATUSES
        ).first()
        raise flows.refuse(
            "同一户同时只能有一件在办业务",
            f"该户已有在办的{case.get_kind_display()}（当前环节：{open_case.get_status_display() if open_case else '—'}）。",
        ) from None
    _record(
        case,
        actor=actor,
        action="open",
        from_status="",
        on=on,
        reason=summary,
        data={"kind": kind, "channel": case.channel, **({"lead": lead.pk} if case.lead_id else {})},
    )
    return case


def _take_up_lead(*, actor: Any, lead: Lead | None, household: Household) -> Lead:
    from fanpin.monitoring.services.leads import lead_handle

    if lead is None:
        raise ApplicationError("请指明转入识别的预警线索。")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.household_id != household.pk:
        raise ApplicationError("该预警线索不属于此户。")
    if lead.status == LeadStatus.DISMISSED:
        raise flows.refuse("已排除的线索不能转入识别", f"该线索已于核实时排除：{lead.handling_note}")
    taken = Case.objects.filter(lead=lead).first()
    if taken is not None:
        raise flows.refuse("一条线索只转入一次", f"该线索已转入识别纳入（业务编号 {taken.pk}）。")
    if lead.status == LeadStatus.OPEN:
        lead = lead_handle(
            actor=actor, lead=lead, status=LeadStatus.VERIFIED, note="线索属实，转入识别纳入程序"
        )
    return lead


@transaction.atomic
def case_open_green(
    *,
    actor: Any,
    household: Household,
    on: date | None = None,
    category: str,
    risk_types: Any,
    summary: str,
) -> Case:
    """Green channel (绿色通道): the county enters an emergency case at once; the household is monitored
    from `on`, and the skipped steps are tracked until each is completed."""
    household = _lock_household(household)
    check_permission(actor, Permission.APPROVE, household.village_id)
    on = _day(on)
    if household.category and not household.risk_eliminated:
        raise flows.refuse("已是监测对象", f"该户已是{household.category}，无需绿色通道纳入。")
    summary = (summary or "").strip()
    if len(summary) < 2:
        raise flows.refuse("绿色通道须说明紧急情况", "请填写紧急情况（如突发重病、灾害）。")
    risks = _risks(risk_types)
    flows.check_identification_decision(category, risks)
    case = Case(
        household=household,
        kind=CaseKind.IDENTIFICATION,
        channel=Channel.GREEN,
        reflag=household.risk_eliminated,
        summary=summary,
        category=category,
        risk_types="|".join(risks),
        created_by=_actor_user(actor),
    )
    flows.start_green(case, on)
    _decide_identification(actor=actor, case=case, on=on)
    case.save()
    _record(
        case,
        actor=actor,
        action="green",
        from_status="",
        on=on,
        reason=summary,
        data={"category": category, "risk_types": case.risk_types, "pending": case.pending_steps},
    )
    return case


def _decide_identification(*, actor: Any, case: Case, on: date) -> None:
    case.decided_on = on
    case.decided_month = flows.yyyymm(on)
    household_update(
        actor=actor,
        household=case.household,
        category=case.category,
        identified_month=case.decided_month,
        risk_types=case.risk_types,
        risk_eliminated=False,
        elimination_method="",
        eliminated_month="",
    )


@transaction.atomic
def case_act(
    *,
    actor: Any,
    case: Case,
    action: str,
    on: date | None = None,
    reason: str = "",
    target: str = "",
    **data: Any,
) -> Case:
    """Run the transition `action` (flows.TRANSITIONS) on `case`, locked for the duration."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked = (
        Case.objects.select_related("household", "household__village")
        .prefetch_related("documents", "objections", "household__members")
        .get(pk=locked.pk)
    )
    t = flows.transition(action)
    check_permission(actor, flows.permission_for(t, locked, target), locked.household.village_id)
    last = locked.decided_on if t.name in ("complete_step", "rollback") else locked.step_entered_on
    on = _day(on, not_before=last)
    reason = (reason or "").strip()
    unknown = set(k for k, v in data.items() if v not in (None, "", [])) - set(t.fields)
    if unknown:
        raise ApplicationError(f"“{t.label}”不接受这些内容：{'、'.join(sorted(unknown))}")
    changes: dict = {}
    if data.get("category"):
        locked.category = data["category"]
        changes["category"] = locked.category
    if data.get("risk_types"):
        risks = _risks(data["risk_types"])
        flows.check_identification_decision(locked.category or "脱贫不稳定户", risks)
        locked.risk_types = "|".join(risks)
        changes["risk_types"] = locked.risk_types
    if data.get("per_capita_income") not in (None, "") and locked.kind == CaseKind.ELIMINATION:
        locked.per_capita_income = _income(data["per_capita_income"])
        changes["per_capita_income"] = str(locked.per_capita_income)
    move = flows.Move(actor=actor, on=on, reason=reason, target=target, data={})
    to = flows.check(t, locked, move)
    from_status = locked.status

    if t.name == "complete_step":
        locked.pending_steps = [s for s in locked.pending_steps if s != target]
        changes["completed"] = target
    elif t.name == "approve":
        if locked.kind == CaseKind.IDENTIFICATION:
            _decide_identification(actor=actor, case=locked, on=on)
        else:
            params = flows.params_for(locked, on)
            locked.threshold = params.threshold
            locked.threshold_year = params.setting.year
            locked.decided_on = on
            locked.decided_month = flows.yyyymm(on)
            household_update(
                actor=actor,
                household=locked.household,
                risk_eliminated=True,
                elimination_method=locked.elimination_method,
                eliminated_month=locked.decided_month,
            )
            changes.update(
                per_capita_income=str(locked.per_capita_income),
                threshold=str(locked.threshold),
                threshold_year=locked.threshold_year,
            )
        flows.enter(locked, to, on)
    elif t.name == "rollback":
        household_update(
            actor=actor,
            household=locked.household,
            risk_eliminated=False,
            elimination_method="",
            eliminated_month="",
        )
        flows.enter(locked, to, on)
    else:
        if t.name == "reject":
            locked.decided_on = on
        flows.enter(locked, to, on)
    locked.save()
    _record(locked, actor=actor, action=t.name, from_status=from_status, on=on, reason=reason, data=changes)
    return locked


@transaction.atomic
def case_document_add(*, actor: Any, case: Case, kind: str, file: UploadedFile) -> CaseDocument:
    locked = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    check_permission(actor, Permission.EDIT, locked.household.village_id)
    if not locked.is_open and not locked.pending_steps:
        raise ApplicationError("该业务已办结，不能再上传材料。")
    if kind not in DocumentKind.values:
        raise ApplicationError("请选择材料类型。")
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ApplicationError(
            f"文件“{name}”的类型不支持，请上传 {'、'.join(sorted(ALLOWED_SUFFIXES))} 格式的扫描件或照片。"
        )
    if not file.size:
        raise ApplicationError(f"文件“{name}”是空文件。")
    if file.size > MAX_DOCUMENT_BYTES:
        raise ApplicationError(f"文件“{name}”超过 20 MB，请压缩后再上传。")
    document = CaseDocument(
        case=locked,
        kind=kind,
        status=locked.status,
        name=name[:200],
        size=file.size,
        uploaded_by=_actor_user(actor),
        uploaded_by_name=_actor_name(actor),
    )
    document.file.save(name, file, save=False)
    document.save()
    audit_record(
        actor=actor,
        action="case.document",
        obj=locked,
        subject=locked.household.code,
        area_code=locked.household.village_id,
        after={"kind": kind, "name": document.name, "status": locked.status},
    )
    return document


@transaction.atomic
def case_objection_add(
    *, actor: Any, case: Case, content: str, raised_by: str = "", received_on: date | None = None
) -> NoticeObjection:
    locked = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    check_permission(actor, Permission.EDIT, locked.household.village_id)
    if locked.status != CaseStatus.NOTICE:
        raise flows.refuse("异议在公示期间登记", f"该业务当前环节为“{locked.status_label}”，不在公示期。")
    received_on = _day(received_on, not_before=locked.notice_start, what="收到异议日期")
    content = (content or "").strip()
    if len(content) < 2:
        raise ApplicationError("请填写异议内容。")
    objection = NoticeObjection.objects.create(
        case=locked,
        received_on=received_on,
        raised_by=(raised_by or "").strip()[:50],
        content=content,
        recorded_by=_actor_user(actor),
    )
    audit_record(
        actor=actor,
        action="case.objection",
        obj=locked,
        subject=locked.household.code,
        area_code=locked.household.village_id,
        after={"received_on": received_on.isoformat(), "content": content[:200]},
    )
    return objection


@transaction.atomic
def case_objection_handle(
    *, actor: Any, objection: NoticeObjection, handling: str, on: date | None = None
) -> NoticeObjection:
    locked = (
        NoticeObjection.objects.select_for_update().select_related("case__household").get(pk=objection.pk)
    )
    check_permission(actor, Permission.EDIT, locked.case.household.village_id)
    handling = (handling or "").strip()
    if len(handling) < 2:
        raise ApplicationError("请填写异议的核实处理情况。")
    locked.handling = handling
    locked.handled_on = _day(on, not_before=locked.received_on, what="处理日期")
    locked.save(update_fields=["handling", "handled_on"])
    audit_record(
        actor=actor,
        action="case.objection_handle",
        obj=locked.case,
        subject=locked.case.household.code,
        area_code=locked.case.household.village_id,
        after={"objection": locked.pk, "handling": handling[:200]},
    )
    return locked

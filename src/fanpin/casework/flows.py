"""The state machines of casework, written once: 识别纳入 (identification) and 风险消除 (risk elimination).

A case waits at one step (its `status`). Transitions are listed in TRANSITIONS with where they start,
where they go, who may run them and the guards that must pass. Only casework.services runs them
(`case_act`, `case_open`); nothing else assigns `Case.status`.

    identification:  (clue) → 入户核实 → 民主评议 → 公示 → 乡镇审核 → 县级审定 → 已纳入监测
    elimination:  (proposal) → 入户核实 → 民主评议 → 公示 → 乡镇审核 → 县级审定 → 风险已消除 → (回退) 已回退
    any open step:  不予通过 (reason) → 未通过;  退回修改 (reason) → an earlier step
    green channel (county):  (emergency) → 已纳入监测 at once, the skipped steps kept in
                              `pending_steps` until each is completed (补办)
    re-flag (再标注):  a new identification case for a household whose risk was eliminated

Every guard's refusal is an ApplicationError naming the rule (【…】) and quoting the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fanpin.accounts.choices import Permission
from fanpin.casework.choices import OPEN_STATUSES, PROCEDURE, CaseKind, CaseStatus, DocumentKind, Level
from fanpin.casework.measures import household_measures
from fanpin.casework.policy import CaseParams, case_params
from fanpin.core.errors import ApplicationError
from fanpin.registry.choices import RISK_TYPES, Category, EliminationMethod, LabourSkill

S = CaseStatus
MAX_RISKS = 5

# Who acts at each step.
STEP_LEVEL = {
    S.VERIFICATION: Level.VILLAGE,
    S.APPRAISAL: Level.VILLAGE,
    S.NOTICE: Level.VILLAGE,
    S.TOWNSHIP: Level.TOWNSHIP,
    S.COUNTY: Level.COUNTY,
}
LEVEL_PERMISSION = {
    Level.VILLAGE: Permission.EDIT,
    Level.TOWNSHIP: Permission.REVIEW,
    Level.COUNTY: Permission.APPROVE,
}


@dataclass
class Move:
    """What the person submits with a transition."""

    actor: Any
    on: date
    reason: str = ""
    target: str = ""  # send back: the step to return to; complete: the step completed
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    kinds: frozenset[str]
    sources: frozenset[str]
    target: str | None  # None: decided by the move (send back) or unchanged (complete a step)
    permission: str | None  # None: the permission of the level of the step acted on
    needs_reason: bool = False
    guards: tuple = ()
    fields: tuple[str, ...] = ()  # data the move may carry


def refuse(rule: str, text: str) -> ApplicationError:
    return ApplicationError(f"【{rule}】{text}")


def money(value: Decimal | None) -> str:
    return "（未填）" if value is None else f"{value:,.2f}"


def month_index(yyyymm: str) -> int:
    return int(yyyymm[:4]) * 12 + int(yyyymm[4:6])


def yyyymm(on: date) -> str:
    return f"{on.year}{on.month:02d}"


def params_for(case, on: date) -> CaseParams:
    return case_params(province_code=case.household.province_code, on=on)


# ---------------------------------------------------------------------------------------------------
# Guards: each raises ApplicationError naming the rule, or returns None.


def _has_document(case, kind: str) -> bool:
    return any(d.kind == kind for d in case.documents.all())


def guard_authorisation(case, move: Move) -> None:
    if case.kind == CaseKind.IDENTIFICATION and not _has_document(case, DocumentKind.AUTHORISATION):
        raise refuse(
            "入户核实须附农户签字的授权承诺书",
            "尚未上传授权承诺书。请在“材料”中上传农户签字的授权承诺书（扫描件或照片）后再提交。",
        )


def guard_meeting_record(case, move: Move) -> None:
    if not _has_document(case, DocumentKind.MEETING_RECORD):
        raise refuse(
            "民主评议须有会议记录", "尚未上传民主评议会议记录。请上传会议记录（扫描件或照片）后再提交。"
        )


def guard_notice_period(case, move: Move) -> None:
    params = params_for(case, move.on)
    days = (move.on - case.notice_start).days if case.notice_start else 0
    if days < params.notice_days:
        raise refuse(
            f"公示期不少于 {params.notice_days} 天",
            f"公示自 {case.notice_start:%Y-%m-%d} 开始，到 {move.on:%Y-%m-%d} 仅 {days} 天，"
            f"应至少 {params.notice_days} 天（{params.source}），"
            f"{case.notice_start + timedelta(days=params.notice_days):%Y-%m-%d} 起方可结束公示。",
        )


def guard_objections_handled(case, move: Move) -> None:
    objections = list(case.objections.all())
    open_ = [o for o in objections if not o.handling.strip()]
    if open_:
        raise refuse(
            "公示异议须核实处理",
            f"公示期间收到异议 {len(objections)} 条，其中 {len(open_)} 条尚未填写核实处理情况。",
        )


def check_identification_decision(category: str, risks: list[str]) -> None:
    if category not in Category.values:
        raise refuse("监测对象类别", f"请选择监测对象类别（{'、'.join(Category.values)}）。")
    if not risks:
        raise refuse("风险类型", "请至少选择一项致贫/返贫风险。")
    if len(risks) > MAX_RISKS:
        raise refuse(
            "风险类型最多 5 项", f"选择了 {len(risks)} 项风险（{'、'.join(risks)}），最多 {MAX_RISKS} 项。"
        )
    unknown = [r for r in risks if r not in RISK_TYPES]
    if unknown:
        raise refuse("风险类型代码表 100A27", f"“{'、'.join(unknown)}”不是规定的风险类型。")


def guard_identification_decision(case, move: Move) -> None:
    category = move.data.get("category") or case.category
    risks = move.data.get("risk_types") or case.risk_list
    check_identification_decision(category, list(risks))


def whole_household_without_labour(household) -> bool:
    if household.whole_no_labour:
        return True
    skills = [m.labour_skill for m in household.members.all()]
    return bool(skills) and all(s in (LabourSkill.LOST, LabourSkill.NONE) for s in skills)


def elimination_refusals(case, on: date) -> list[str]:
    """Every rule an elimination of `case` on `on` breaks, each naming the rule and its figures."""
    household = case.household
    params = params_for(case, on)
    out = []
    if whole_household_without_labour(household):
        out.append(
            "【整户无劳动能力户不标注风险消除】该户为整户无劳动能力户，落实兜底保障后继续监测，不得标注风险消除。"
        )
    if not household.identified_month:
        out.append("【须为监测对象】该户没有识别监测时间，不是在监测的监测对象。")
    else:
        months = month_index(yyyymm(on)) - month_index(household.identified_month)
        if months < params.elimination_min_months:
            out.append(
                f"【纳入监测满 {params.elimination_min_months} 个月】识别监测时间 {household.identified_month}，"
                f"到 {yyyymm(on)} 仅 {months} 个月，应满 {params.elimination_min_months} 个月（{params.source}）。"
            )
    measures = household_measures(household=household, on=on)
    if len(measures) < params.elimination_min_measures:
        out.append(
            f"【至少落实 {params.elimination_min_measures} 项帮扶措施】{on:%Y-%m-%d} 在落实的帮扶措施 "
            f"{len(measures)} 项，应至少 {params.elimination_min_measures} 项（{params.source}）。"
        )
    if case.elimination_method == EliminationMethod.ASSISTED:
        income = case.per_capita_income
        if income is None or income < params.threshold:
            out.append(
                f"【帮扶消除：人均纯收入不低于当年监测范围】人均纯收入 {money(income)} 元，"
                f"低于 {params.setting.year} 年监测范围 {money(params.threshold)} 元（{params.source}）。"
            )
    elif case.elimination_method != EliminationMethod.NATURAL:
        out.append("【风险消除方式】请选择帮扶消除或自然消除。")
    return out


def guard_elimination(case, move: Move) -> None:
    problems = elimination_refusals(case, move.on)
    if problems:
        raise ApplicationError(
            "不能标注风险消除：" + "；".join(problems), details=[{"reason": p} for p in problems]
        )


def guard_is_eliminated(case, move: Move) -> None:
    if case.kind != CaseKind.ELIMINATION:
        raise refuse("回退仅适用于风险消除", "只有已审定的风险消除可以回退。")
    if not case.household.risk_eliminated:
        raise refuse("回退仅适用于风险消除", "该户当前不是风险已消除状态，无需回退。")


def guard_step_pending(case, move: Move) -> None:
    if move.target not in (case.pending_steps or []):
        pending = "、".join(CaseStatus(s).label for s in case.pending_steps) or "无"
        raise refuse("绿色通道补办程序", f"“{move.target}”不是待补办的环节（待补办：{pending}）。")
    if move.target == S.VERIFICATION:
        guard_authorisation(case, move)
    if move.target == S.APPRAISAL:
        guard_meeting_record(case, move)


def guard_send_back_target(case, move: Move) -> None:
    order = PROCEDURE.index(case.status)
    allowed = PROCEDURE[:order]
    if move.target not in allowed:
        names = "、".join(CaseStatus(s).label for s in allowed)
        raise refuse("退回修改", f"只能退回到之前的环节（{names}），请选择要退回的环节。")


# ---------------------------------------------------------------------------------------------------
# The transitions.

BOTH = frozenset({CaseKind.IDENTIFICATION, CaseKind.ELIMINATION})
IDENTIFICATION = frozenset({CaseKind.IDENTIFICATION})
ELIMINATION = frozenset({CaseKind.ELIMINATION})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "verify",
            "完成入户核实",
            BOTH,
            frozenset({S.VERIFICATION}),
            S.APPRAISAL,
            Permission.EDIT,
            needs_reason=True,
            guards=(guard_authorisation,),
            fields=("category", "risk_types", "per_capita_income"),
        ),
        Transition(
            "appraise",
            "完成民主评议，开始公示",
            BOTH,
            frozenset({S.APPRAISAL}),
            S.NOTICE,
            Permission.EDIT,
            guards=(guard_meeting_record,),
        ),
        Transition(
            "close_notice",
            "公示期满无异议（或异议已处理），报乡镇审核",
            BOTH,
            frozenset({S.NOTICE}),
            S.TOWNSHIP,
            Permission.EDIT,
            guards=(guard_notice_period, guard_objections_handled),
        ),
        Transition(
            "review", "乡镇审核通过，报县级审定", BOTH, frozenset({S.TOWNSHIP}), S.COUNTY, Permission.REVIEW
        ),
        Transition(
            "approve",
            "县级审定通过",
            BOTH,
            frozenset({S.COUNTY}),
            S.APPROVED,
            Permission.APPROVE,
            guards=(guard_identification_decision,),
            fields=("category", "risk_types"),
        ),
        Transition("reject", "不予通过", BOTH, frozenset(OPEN_STATUSES), S.REJECTED, None, needs_reason=True),
        Transition(
            "send_back",
            "退回修改",
            BOTH,
            frozenset(OPEN_STATUSES) - {S.VERIFICATION},
            None,
            None,
            needs_reason=True,
            guards=(guard_send_back_target,),
        ),
        Transition(
            "complete_step",
            "补办程序（绿色通道）",
            IDENTIFICATION,
            frozenset({S.APPROVED}),
            None,
            None,
            needs_reason=True,
            guards=(guard_step_pending,),
        ),
        Transition(
            "rollback",
            "风险消除回退",
            ELIMINATION,
            frozenset({S.APPROVED}),
            S.ROLLED_BACK,
            Permission.APPROVE,
            needs_reason=True,
            guards=(guard_is_eliminated,),
        ),
    ]
}
# The elimination rules replace the identification decision at the county's approval.
APPROVE_GUARDS = {
    CaseKind.IDENTIFICATION: (guard_identification_decision,),
    CaseKind.ELIMINATION: (guard_elimination,),
}


def transition(name: str) -> Transition:
    t = TRANSITIONS.get(name)
    if t is None:
        raise ApplicationError(f"未知的操作“{name}”。")
    return t


def permission_for(t: Transition, case, move_target: str = "") -> str:
    if t.permission is not None:
        return t.permission
    if t.name == "complete_step":
        return LEVEL_PERMISSION[STEP_LEVEL.get(move_target, Level.VILLAGE)]
    return LEVEL_PERMISSION[STEP_LEVEL[case.status]]


def applies(t: Transition, case) -> bool:
    if case.kind not in t.kinds or case.status not in t.sources:
        return False
    if t.name == "complete_step":
        return bool(case.pending_steps)
    if t.name == "rollback":
        return case.household.risk_eliminated and case.decided_on is not None
    return True


def guards_of(t: Transition, case) -> tuple:
    if t.name == "approve":
        return APPROVE_GUARDS[case.kind]
    return t.guards


def check(t: Transition, case, move: Move) -> str:
    """Run `t`'s guards for `move`; return the status the case goes to."""
    if not applies(t, case):
        raise refuse(
            "办理顺序",
            f"该业务当前环节为“{case.status_label}”，不能“{t.label}”。",
        )
    if t.needs_reason and len((move.reason or "").strip()) < 2:
        what = "核实情况" if t.name == "verify" else "理由"
        raise refuse(f"{t.label}须填写{what}", f"请填写{what}。")
    for guard in guards_of(t, case):
        guard(case, move)
    if t.name == "send_back":
        return move.target
    if t.target is None:
        return case.status
    return t.target


def available(case, user) -> list[Transition]:
    """The transitions `user` may try on `case` now (the page shows these; the guards still decide)."""
    from fanpin.core.scope import user_covers

    if not user_covers(user, case.household.village_id):
        return []
    out = []
    for t in TRANSITIONS.values():
        if not applies(t, case):
            continue
        if t.name == "complete_step":
            if any(user.has_role_permission(permission_for(t, case, s)) for s in case.pending_steps):
                out.append(t)
        elif user.has_role_permission(permission_for(t, case)):
            out.append(t)
    return out


# ---------------------------------------------------------------------------------------------------
# Deadlines


def step_due(case, status: str, entered: date, params: CaseParams) -> date | None:
    if status not in OPEN_STATUSES:
        return None
    if status == S.NOTICE:
        return entered + timedelta(days=params.notice_days + params.step_days)
    return entered + timedelta(days=params.step_days)


def decision_due(opened_on: date, params: CaseParams, kind: str) -> date | None:
    """识别纳入: normally no more than N days from the clue to the decision (a setting)."""
    if kind != CaseKind.IDENTIFICATION:
        return None
    return opened_on + timedelta(days=params.decision_days)


def is_overdue(case, today: date) -> bool:
    if case.status not in OPEN_STATUSES:
        return False
    return bool((case.step_due_on and today > case.step_due_on) or (case.due_on and today > case.due_on))


def enter(case, status: str, on: date) -> None:
    """Put `case` at `status` from `on` with that step's due date: the one place a status is set."""
    params = params_for(case, on)
    case.status = status
    case.step_entered_on = on
    case.step_due_on = step_due(case, status, on, params)
    if status == S.NOTICE:
        case.notice_start = on
        case.notice_end = on + timedelta(days=params.notice_days)


def start(case, on: date) -> None:
    """A new case: identification at 入户核实 with the decision deadline; elimination likewise."""
    params = params_for(case, on)
    case.opened_on = on
    case.due_on = decision_due(on, params, case.kind)
    enter(case, S.VERIFICATION, on)


def start_green(case, on: date) -> None:
    """Green channel: monitored at once; the procedure's steps before the decision stay to be done."""
    case.opened_on = on
    case.due_on = None
    case.status = S.APPROVED
    case.step_entered_on = on
    case.step_due_on = None
    case.pending_steps = [s for s in PROCEDURE if s != S.COUNTY]

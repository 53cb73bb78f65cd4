"""Reads of casework, each restricted to the user's area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fanpin.accounts.choices import Role
from fanpin.assistance.selectors import measure_list
from fanpin.casework import flows
from fanpin.casework.choices import OPEN_STATUSES, CaseStatus, Level
from fanpin.casework.models import Case, CaseDocument, CaseStep, NoticeObjection
from fanpin.casework.policy import case_params
from fanpin.core.errors import ApplicationError
from fanpin.core.scope import household_fields, number_filter, restrict
from fanpin.registry.models import Household

ROLE_LEVEL = {Role.VILLAGE: Level.VILLAGE, Role.TOWNSHIP: Level.TOWNSHIP, Role.COUNTY: Level.COUNTY}


def level_statuses(level: str) -> list[str]:
    return [s for s, lv in flows.STEP_LEVEL.items() if lv == level]


def user_level(user: Any) -> str | None:
    """The step level a user works at (village, township, county), None for other roles."""
    return ROLE_LEVEL.get(getattr(user, "role", None))


def case_list(*, user: Any, filters: dict | None = None) -> QuerySet[Case]:
    qs = restrict(
        Case.objects.select_related("household", "household__village"),
        user=user,
        level_fields=household_fields("household__"),
    )
    f = filters or {}
    area = (f.get("area") or "").strip()
    if area.isdigit() and len(area) in household_fields():
        qs = qs.filter(**{household_fields("household__")[len(area)]: area})
    for key in ("kind", "status", "channel"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("state") == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.get("state") == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    if f.get("level"):
        qs = qs.filter(status__in=level_statuses(f["level"]))
    if f.get("overdue") in (True, "1", "true", "on"):
        today = timezone.localdate()
        qs = qs.filter(status__in=OPEN_STATUSES).filter(Q(step_due_on__lt=today) | Q(due_on__lt=today))
    if f.get("pending") in (True, "1", "true", "on"):
        qs = qs.filter(status=CaseStatus.APPROVED).exclude(pending_steps=[])
    q = (f.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(household__head_name__contains=q) | Q(household__code__startswith=q))
    if f.get("household"):
        qs = number_filter(qs, "household_id", f["household"])
    return qs.order_by("-opened_on", "-id")


def case_get(*, user: Any, case_id: int) -> Case:
    case = (
        case_list(user=user)
        .select_related("lead", "created_by")
        .prefetch_related("documents", "objections", "household__members")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("业务不存在或不在您的管辖范围内")
    return case


def document_get(*, user: Any, document_id: int) -> CaseDocument:
    doc = (
        restrict(
            CaseDocument.objects.select_related("case__household"),
            user=user,
            level_fields=household_fields("case__household__"),
        )
        .filter(pk=document_id)
        .first()
    )
    if doc is None:
        raise Http404("材料不存在或不在您的管辖范围内")
    return doc


def objection_get(*, user: Any, objection_id: int) -> NoticeObjection:
    obj = (
        restrict(
            NoticeObjection.objects.select_related("case__household"),
            user=user,
            level_fields=household_fields("case__household__"),
        )
        .filter(pk=objection_id)
        .first()
    )
    if obj is None:
        raise Http404("异议记录不存在或不在您的管辖范围内")
    return obj


@dataclass
class TimelineEntry:
    step: CaseStep
    case: Case
    documents: list[CaseDocument]

    @property
    def from_label(self) -> str:
        return _status_label(self.case, self.step.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.case, self.step.to_status)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.step.action, self.step.action)


ACTION_LABELS = {
    "open": "登记线索 / 提出申请",
    "green": "绿色通道纳入",
    **{name: t.label for name, t in flows.TRANSITIONS.items()},
}


def _status_label(case: Case, status: str) -> str:
    if not status:
        return "—"
    if status == CaseStatus.APPROVED:
        return "已纳入监测" if case.kind == "identification" else "风险已消除"
    return CaseStatus(status).label


def timeline(*, cases: list[Case]) -> list[TimelineEntry]:
    """Every transition of `cases` (oldest first), each with the documents uploaded for the step it
    closed (uploaded while the case was at that step, before the transition)."""
    ids = [c.pk for c in cases]
    by_id = {c.pk: c for c in cases}
    steps = list(CaseStep.objects.filter(case_id__in=ids).select_related("actor").order_by("at", "id"))
    docs = list(CaseDocument.objects.filter(case_id__in=ids).order_by("uploaded_at", "id"))
    used: set[int] = set()
    out = []
    for step in steps:
        attached = []
        for d in docs:
            if d.pk in used or d.case_id != step.case_id:
                continue
            if d.uploaded_at <= step.at and (d.status == step.from_status or step.action == "complete_step"):
                attached.append(d)
                used.add(d.pk)
        out.append(TimelineEntry(step=step, case=by_id[step.case_id], documents=attached))
    return out


def household_cases(*, user: Any, household: Household) -> list[Case]:
    return list(case_list(user=user, filters={"household": household.pk}))


def household_timeline(*, user: Any, household: Household) -> list[TimelineEntry]:
    return timeline(cases=household_cases(user=user, household=household))


def notice_cases(*, case: Case) -> QuerySet[Case]:
    """The cases on the same public notice as `case`: same village, same kind, same notice period."""
    if case.notice_start is None:
        raise ApplicationError("该业务尚未进入公示环节，没有公示名单。")
    return (
        Case.objects.filter(
            household__village_id=case.household.village_id,
            kind=case.kind,
            notice_start=case.notice_start,
        )
        .exclude(status=CaseStatus.REJECTED)
        .select_related("household", "household__village")
        .order_by("household__code")
    )


@dataclass
class LateHousehold:
    household: Household
    since: date
    due: date


def households_without_measures(
    *, user: Any, today: date | None = None, limit: int = 200
) -> list[LateHousehold]:
    """Monitored households still without any measure `measure_due_days` after identification
    (the date of the county's decision, or the first day of the identification month)."""
    today = today or timezone.localdate()
    qs = restrict(
        Household.objects.filter(risk_eliminated=False).exclude(category="").exclude(identified_month=""),
        user=user,
        level_fields=household_fields(),
    ).select_related("village")
    decided = {
        c["household_id"]: c["decided_on"]
        for c in Case.objects.filter(
            household__in=qs, kind="identification", status=CaseStatus.APPROVED, decided_on__isnull=False
        )
        .order_by("decided_on")
        .values("household_id", "decided_on")
    }
    # One query for every household of the area with a measure in place today (assistance's selector).
    with_measures = set(
        measure_list(user=user, filters={"on": today}).order_by().values_list("household_id", flat=True)
    )
    out = []
    params_cache: dict[str, Any] = {}
    for h in qs.order_by("identified_month", "code").iterator():
        since = decided.get(h.pk)
        if since is None:
            m = h.identified_month
            if not (len(m) == 6 and m.isdigit() and 1 <= int(m[4:]) <= 12):
                continue
            since = date(int(m[:4]), int(m[4:]), 1)
        if h.province_code not in params_cache:
            try:
                params_cache[h.province_code] = case_params(province_code=h.province_code, on=today)
            except ApplicationError:
                params_cache[h.province_code] = None
        params = params_cache[h.province_code]
        if params is None:
            continue
        due = since + timedelta(days=params.measure_due_days)
        if today <= due:
            continue
        if h.pk in with_measures:
            continue
        out.append(LateHousehold(household=h, since=since, due=due))
        if len(out) >= limit:
            break
    return out

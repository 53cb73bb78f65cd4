"""入户走访: record a visit to a household (audited under the household)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.assistance.models import ResponsiblePerson, Visit
from fanpin.assistance.selectors import serves
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.registry.models import Household

EARLIEST = date(2015, 1, 1)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    household: Household,
    visited_on: date | None,
    visitors: str,
    findings: str,
    follow_up: str = "",
    persons: Iterable[ResponsiblePerson] = (),
) -> Visit:
    check_permission(actor, Permission.EDIT, household.village_id)
    if visited_on is None:
        raise ApplicationError("请填写走访日期。")
    if visited_on > date.today() + timedelta(days=1):
        raise ApplicationError(f"走访日期 {visited_on:%Y-%m-%d} 在今天之后：只能登记已经进行的走访。")
    if visited_on < EARLIEST:
        raise ApplicationError(f"走访日期 {visited_on:%Y-%m-%d} 太早，请检查年份。")
    visitors = (visitors or "").strip()
    if not visitors:
        raise ApplicationError("请填写走访人。")
    if len(visitors) > 100:
        raise ApplicationError("走访人不能超过 100 个字。")
    findings = (findings or "").strip()
    if not findings:
        raise ApplicationError("请填写走访情况（看到和了解到的情况）。")
    persons = list(persons)
    for p in persons:
        if not serves(p.unit.area_code, household.village_id):
            raise ApplicationError(f"帮扶责任人“{p.name}”不负责该户所在的村。")
    visit = Visit.objects.create(
        household=household,
        visited_on=visited_on,
        visitors=visitors,
        findings=findings,
        follow_up=(follow_up or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    visit.persons.set(persons)
    audit_record(
        actor=actor,
        action="assistance.visit_record",
        obj=visit,
        subject=household.code,
        area_code=household.village_id,
        after={
            "visited_on": visited_on.isoformat(),
            "visitors": visitors,
            "persons": sorted(p.name for p in persons),
            "findings": findings[:200],
            "follow_up": visit.follow_up[:200],
        },
    )
    return visit

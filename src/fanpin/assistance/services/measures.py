"""Household plans (一户一策): add, change and end a measure. Each write: permission and area checked,
the catalogue and the responsible unit and persons validated, one audit event under the household."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F

from fanpin.accounts.choices import Permission
from fanpin.assistance.choices import CATEGORY_NAMES
from fanpin.assistance.models import Measure, ResponsiblePerson, ResponsibleUnit
from fanpin.assistance.selectors import items_for_village, serves
from fanpin.assistance.services._common import plain
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.registry.models import Household, Member

FIELDS = ["category", "item", "detail", "member", "amount", "start", "end", "unit", "persons"]
MAX_AMOUNT = Decimal("10000000")


def _snapshot(measure: Measure, persons: Iterable[ResponsiblePerson]) -> dict:
    data = {f: plain(getattr(measure, f)) for f in FIELDS if f not in ("member", "unit", "persons")}
    data["member"] = measure.member_id
    data["unit"] = measure.unit.name if measure.unit_id else None
    data["persons"] = sorted(p.name for p in persons)
    return data


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ApplicationError(
            f"金额“{value}”不是数字，请填写元为单位的金额（如 10000 或 2000.50）。"
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise ApplicationError(f"金额 {amount} 元不合理：应在 0 至 {MAX_AMOUNT:,} 元之间。")
    if amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(f"金额 {amount} 元最多保留两位小数（分）。")
    return amount.quantize(Decimal("0.01"))


def _validate(
    household: Household,
    *,
    category: str,
    item: str,
    amount: Any,
    start: date | None,
    end: date | None,
    unit: ResponsibleUnit | None,
    persons: list[ResponsiblePerson],
    member: Member | None,
) -> dict:
    if category not in CATEGORY_NAMES:
        raise ApplicationError(f"帮扶措施类别“{category}”不存在，请从 100A39 至 100A55 中选择。")
    name = CATEGORY_NAMES[category]
    item = (item or "").strip()
    allowed = list(
        items_for_village(village_code=household.village_id, category=category).values_list("name", flat=True)
    )
    if item not in allowed:
        raise ApplicationError(
            f"“{item or '（空）'}”不是“{name}”下的帮扶项目。可选：{'、'.join(allowed)}。"
            "如需新增项目，请县级工作人员在“帮扶措施目录”中添加。"
        )
    if start is None:
        raise ApplicationError("请填写措施开始日期。")
    if end is not None and end < start:
        raise ApplicationError(f"结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}，请改正。")
    if unit is None:
        raise ApplicationError("请选择帮扶单位。")
    unit = ResponsibleUnit.objects.get(pk=unit.pk)  # as saved (active, area), not as last seen
    fresh = ResponsiblePerson.objects.select_related("unit").in_bulk([p.pk for p in persons])
    persons[:] = [fresh[p.pk] for p in persons]
    if not unit.active or not serves(unit.area_code, household.village_id):
        raise ApplicationError(
            f"帮扶单位“{unit.name}”（区划 {unit.area_code}）已停用或不负责该户所在的村，请选择本县（乡、村）的帮扶单位。"
        )
    if not persons:
        raise ApplicationError("请至少选择一名帮扶责任人。")
    for p in persons:
        if not p.active or not serves(p.unit.area_code, household.village_id):
            raise ApplicationError(f"帮扶责任人“{p.name}”已停用或不负责该户所在的村，请另选。")
    if member is not None and member.household_id != household.pk:
        raise ApplicationError(f"受益成员“{member.name}”不是该户的家庭成员。")
    return {
        "category": category,
        "item": item,
        "amount": _amount(amount),
        "start": start,
        "end": end,
        "unit": unit,
        "member": member,
    }


@transaction.atomic
def measure_add(
    *,
    actor: Any,
    household: Household,
    category: str,
    item: str,
    start: date | None,
    unit: ResponsibleUnit | None,
    persons: Iterable[ResponsiblePerson],
    amount: Any = None,
    end: date | None = None,
    detail: str = "",
    member: Member | None = None,
) -> Measure:
    check_permission(actor, Permission.EDIT, household.village_id)
    persons = list(persons)
    data = _validate(
        household,
        category=category,
        item=item,
        amount=amount,
        start=start,
        end=end,
        unit=unit,
        persons=persons,
        member=member,
    )
    measure = Measure.objects.create(household=household, detail=(detail or "").strip()[:200], **data)
    measure.persons.set(persons)
    audit_record(
        actor=actor,
        action="assistance.measure_add",
        obj=measure,
        subject=household.code,
        area_code=household.village_id,
        after=_snapshot(measure, persons),
    )
    return measure


@transaction.atomic
def measure_update(*, actor: Any, measure: Measure, version: int | None = None, **fields: Any) -> Measure:
    """Change a measure. `version` is the one the editor saw: if someone saved in between, refuse."""
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("household", "unit", "member")
        .get(pk=measure.pk)
    )
    household = locked.household
    check_permission(actor, Permission.EDIT, household.village_id)
    if version is not None and locked.version != version:
        raise ApplicationError("该措施已被他人修改，请刷新页面后重新编辑（您的修改未保存）。")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    old_persons = list(locked.persons.select_related("unit"))
    before = _snapshot(locked, old_persons)
    persons = list(fields.pop("persons", old_persons))
    current = {
        "category": locked.category,
        "item": locked.item,
        "amount": locked.amount,
        "start": locked.start,
        "end": locked.end,
        "unit": locked.unit,
        "member": locked.member,
    }
    detail = fields.pop("detail", locked.detail)
    current.update(fields)
    data = _validate(household, persons=persons, **current)
    for key, value in data.items():
        setattr(locked, key, value)
    locked.detail = (detail or "").strip()[:200]
    after = _snapshot(locked, persons)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return locked
    locked.version = F("version") + 1
    locked.save()
    locked.persons.set(persons)
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="assistance.measure_update",
        obj=locked,
        subject=household.code,
        area_code=household.village_id,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return locked


@transaction.atomic
def measure_end(*, actor: Any, measure: Measure, end: date, reason: str) -> Measure:
    """End a measure on `end` (the last day it is in place), with a reason."""
    locked = Measure.objects.select_for_update().select_related("household").get(pk=measure.pk)
    household = locked.household
    check_permission(actor, Permission.EDIT, household.village_id)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写结束原因（如：已稳定就业、政策到期）。")
    if end is None:
        raise ApplicationError("请填写结束日期。")
    if end < locked.start:
        raise ApplicationError(f"结束日期 {end:%Y-%m-%d} 早于措施开始日期 {locked.start:%Y-%m-%d}。")
    if locked.end is not None and locked.end < date.today():
        raise ApplicationError(f"该措施已于 {locked.end:%Y-%m-%d} 结束。")
    before = {"end": plain(locked.end), "end_reason": locked.end_reason}
    locked.end = end
    locked.end_reason = reason[:200]
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="assistance.measure_end",
        obj=locked,
        subject=household.code,
        area_code=household.village_id,
        before=before,
        after={"end": plain(end), "end_reason": locked.end_reason},
    )
    return locked

"""帮扶单位 and 帮扶责任人: created and changed by staff within their area, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.assistance.models import ResponsiblePerson, ResponsibleUnit
from fanpin.assistance.services._common import snapshot
from fanpin.core.errors import ApplicationError
from fanpin.core.masking import mask_phone
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division

UNIT_FIELDS = ["name", "area_code", "kind", "active"]
PERSON_FIELDS = ["name", "post", "phone", "active"]


def _check_unit_fields(name: str, area_code: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("帮扶单位名称不能为空。")
    area_code = (area_code or "").strip()
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"所属区划代码“{area_code}”不存在，请填写单位所在的省、市、县、乡或村的代码。")
    return name, area_code


@transaction.atomic
def unit_create(*, actor: Any, name: str, area_code: str, kind: str = "") -> ResponsibleUnit:
    name, area_code = _check_unit_fields(name, area_code)
    check_permission(actor, Permission.EDIT, area_code)
    if ResponsibleUnit.objects.filter(area_code=area_code, name=name).exists():
        raise ApplicationError(f"区划 {area_code} 已有帮扶单位“{name}”，请直接使用。")
    unit = ResponsibleUnit.objects.create(name=name, area_code=area_code, kind=(kind or "").strip())
    audit_record(
        actor=actor,
        action="assistance.unit_create",
        obj=unit,
        area_code=area_code,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: ResponsibleUnit, **fields: Any) -> ResponsibleUnit:
    locked = ResponsibleUnit.objects.select_for_update().get(pk=unit.pk)
    check_permission(actor, Permission.EDIT, locked.area_code)
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    before = snapshot(locked, UNIT_FIELDS)
    name, area_code = _check_unit_fields(
        fields.get("name", locked.name), fields.get("area_code", locked.area_code)
    )
    if area_code != locked.area_code:
        check_permission(actor, Permission.EDIT, area_code)
    fields.update(name=name, area_code=area_code)
    if ResponsibleUnit.objects.filter(area_code=area_code, name=name).exclude(pk=locked.pk).exists():
        raise ApplicationError(f"区划 {area_code} 已有帮扶单位“{name}”。")
    for key, value in fields.items():
        setattr(locked, key, value.strip() if isinstance(value, str) else value)
    after = snapshot(locked, UNIT_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return locked
    locked.save()
    audit_record(
        actor=actor,
        action="assistance.unit_update",
        obj=locked,
        area_code=locked.area_code,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return locked


def _check_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise ApplicationError(
            f"联系电话“{mask_phone(phone)}”格式不对：应为 11 位手机号或 7–12 位固定电话号码。"
        )
    return phone


@transaction.atomic
def person_create(
    *, actor: Any, unit: ResponsibleUnit, name: str, post: str = "", phone: str = ""
) -> ResponsiblePerson:
    unit = ResponsibleUnit.objects.get(pk=unit.pk)  # as saved, not as the caller last saw it
    check_permission(actor, Permission.EDIT, unit.area_code)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("帮扶责任人姓名不能为空。")
    if not unit.active:
        raise ApplicationError(f"帮扶单位“{unit.name}”已停用，不能再添加责任人。")
    person = ResponsiblePerson.objects.create(
        unit=unit, name=name, post=(post or "").strip(), phone=_check_phone(phone)
    )
    audit_record(
        actor=actor,
        action="assistance.person_create",
        obj=person,
        area_code=unit.area_code,
        after=snapshot(person, PERSON_FIELDS) | {"unit": unit.pk},
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: ResponsiblePerson, **fields: Any) -> ResponsiblePerson:
    locked = ResponsiblePerson.objects.select_for_update().select_related("unit").get(pk=person.pk)
    check_permission(actor, Permission.EDIT, locked.unit.area_code)
    unknown = set(fields) - set(PERSON_FIELDS) - {"unit"}
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    before = snapshot(locked, PERSON_FIELDS + ["unit"])
    if "phone" in fields:
        fields["phone"] = _check_phone(fields["phone"])
    if "name" in fields and not (fields["name"] or "").strip():
        raise ApplicationError("帮扶责任人姓名不能为空。")
    new_unit = fields.pop("unit", None)
    if new_unit is not None and new_unit.pk != locked.unit_id:
        check_permission(actor, Permission.EDIT, new_unit.area_code)
        locked.unit = new_unit
    for key, value in fields.items():
        setattr(locked, key, value.strip() if isinstance(value, str) else value)
    after = snapshot(locked, PERSON_FIELDS + ["unit"])
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return locked
    locked.save()
    audit_record(
        actor=actor,
        action="assistance.person_update",
        obj=locked,
        area_code=locked.unit.area_code,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return locked


@transaction.atomic
def person_phone_reveal(*, actor: Any, person: ResponsiblePerson, reason: str) -> str:
    """The full phone number of a responsible person, for staff allowed to see personal data, with a
    reason; audited."""
    check_permission(actor, Permission.VIEW_PERSONAL, person.unit.area_code)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ApplicationError("请填写查看完整电话号码的事由（如：联系帮扶事宜）。")
    audit_record(
        actor=actor,
        action="assistance.person_reveal",
        obj=person,
        area_code=person.unit.area_code,
        note=f"查看完整联系电话，事由：{reason}",
    )
    return person.phone

"""Writes to the household registry. Every change: permission and area checked, one audit event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.fields import index_of, sync_derived
from fanpin.core.masking import mask_id
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.divisions.choices import Level
from fanpin.divisions.models import Division
from fanpin.registry import idnumber
from fanpin.registry.choices import IdType
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.services.income import households_income_refresh

HOUSEHOLD_FIELDS = [
    f.name
    for f in Household._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name
    not in {
        "id",
        "code",
        "village",
        "province_code",
        "city_code",
        "county_code",
        "township_code",
        "version",
        "created_at",
        "updated_at",
        "size",
        "head_name",
        "net_income",
        "per_capita_income",
        "extra",
    }
]
MEMBER_FIELDS = [
    f.name
    for f in Member._meta.get_fields()
    if getattr(f, "concrete", False)
    and getattr(f, "editable", True)  # not the derived blind index and masked copy
    and f.name not in {"id", "household", "extra"}
]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _village(code: str) -> Division:
    village = Division.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None:
        raise ApplicationError(f"村代码“{code}”不存在，请选择一个村（12 位区划代码）。")
    return village


def denormalise(household: Household, village_code: str) -> None:
    household.village_id = village_code
    household.province_code = village_code[:2]
    household.city_code = village_code[:4]
    household.county_code = village_code[:6]
    household.township_code = village_code[:9]


@transaction.atomic
def household_create(*, actor: Any, code: str, village_code: str, **fields: Any) -> Household:
    village = _village(village_code)
    check_permission(actor, Permission.EDIT, village.code)
    code = (code or "").strip()
    if not code:
        raise ApplicationError("户编号不能为空。")
    existing = Household.objects.filter(code=code).select_related("village").first()
    if existing is not None:
        raise ApplicationError(
            f"户编号“{code}”已存在（{existing.village.name}，户主 {existing.head_name or '未填'}）。"
        )
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    household = Household(code=code, **fields)
    denormalise(household, village.code)
    household.full_clean(exclude=["village"])
    household.save()
    audit_record(
        actor=actor,
        action="household.create",
        subject=household.code,
        obj=household,
        area_code=village.code,
        after=_snapshot(household, HOUSEHOLD_FIELDS),
    )
    return household


@transaction.atomic
def household_update(
    *, actor: Any, household: Household, version: int | None = None, **fields: Any
) -> Household:
    """Update fields. `version` is the version the editor saw: if someone saved in between, refuse."""
    locked = Household.objects.select_for_update().get(pk=household.pk)
    check_permission(actor, Permission.EDIT, locked.village_id)
    if version is not None and locked.version != version:
        raise ApplicationError("该户信息已被他人修改，请刷新页面后重新编辑（您的修改未保存）。")
    unknown = set(fields) - set(HOUSEHOLD_FIELDS) - {"village_code"}
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    before = _snapshot(locked, HOUSEHOLD_FIELDS + ["village_id"])
    village_code = fields.pop("village_code", None)
    if village_code and village_code != locked.village_id:
        village = _village(village_code)
        check_permission(actor, Permission.EDIT, village.code)
        denormalise(locked, village.code)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["village"])
    after = _snapshot(locked, HOUSEHOLD_FIELDS + ["village_id"])
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return locked
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="household.update",
        subject=locked.code,
        obj=locked,
        area_code=locked.village_id,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return locked


def _check_identity(fields: dict) -> dict:
    """Validate the ID number by type; derive (and check) birth date and sex from a resident ID."""
    id_type = fields.get("id_type") or IdType.RESIDENT
    number = idnumber.normalize(fields.get("id_number", ""))
    if not number:
        raise ApplicationError("证件号码不能为空。")
    if id_type == IdType.RESIDENT:
        try:
            info = idnumber.parse(number)
        except idnumber.IdNumberError as exc:
            raise ApplicationError(f"证件号码无效：{exc}") from None
        birth, sex = fields.get("birth_date"), fields.get("sex")
        if birth and birth != info.birth_date:
            raise ApplicationError(
                f"出生日期 {birth:%Y%m%d} 与身份证号码中的 {info.birth_date:%Y%m%d} 不一致。"
            )
        if sex and sex != info.sex:
            raise ApplicationError(f"性别“{sex}”与身份证号码（{info.sex}）不一致。")
        fields["birth_date"], fields["sex"] = info.birth_date, info.sex
    elif id_type == IdType.DISABILITY and len(number) not in (20, 22):
        raise ApplicationError(f"残疾人证号应为 20 或 22 位，实际 {len(number)} 位。")
    fields["id_type"], fields["id_number"] = id_type, number
    return fields


def _lock(household: Household) -> Household:
    """The household row, locked until the transaction ends: writes that recount its members (size, head,
    人均纯收入) or check "one head only" run one after another, so none is lost (tested with threads on
    PostgreSQL in core/tests/test_concurrency.py)."""
    return Household.objects.select_for_update().get(pk=household.pk)


def _refresh_household_people(household: Household) -> None:
    members = list(household.members.all())
    head = next((m for m in members if m.relation == "户主"), None)
    Household.objects.filter(pk=household.pk).update(
        size=len(members), head_name=head.name if head else "", version=F("version") + 1
    )
    household_income_refresh(household=household)  # 人均纯收入 depends on the number of members


@transaction.atomic
def member_add(*, actor: Any, household: Household, **fields: Any) -> Member:
    household = _lock(household)
    check_permission(actor, Permission.EDIT, household.village_id)
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ApplicationError(f"未知字段：{'、'.join(sorted(unknown))}")
    fields = _check_identity(dict(fields))
    other = (
        Member.objects.filter(id_number_index=index_of(Member, "id_number", fields["id_number"]))
        .select_related("household")
        .first()
    )
    if other is not None:
        raise ApplicationError(
            f"证件号码 {mask_id(fields['id_number'])} 已登记在户 {other.household.code}（{other.household}），"
            f"一个人只能属于一户；不能再加入户 {household.code}。"
        )
    if fields.get("relation") == "户主" and household.members.filter(relation="户主").exists():
        raise ApplicationError("该户已有户主；请先把原户主改为其他关系。")
    member = Member(household=household, **fields)
    sync_derived(member)
    member.full_clean(exclude=["household"])
    member.save()
    _refresh_household_people(household)
    audit_record(
        actor=actor,
        action="member.add",
        subject=household.code,
        obj=member,
        area_code=household.village_id,
        object_repr=f"{household.code} {member.name}",
        after=_snapshot(member, MEMBER_FIELDS),
    )
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, **fields: Any) -> Member:
    household = _lock(member.household)
    member = Member.objects.get(pk=member.pk)  # as it is now that the household is ours
    check_permission(actor, Permission.EDIT, household.village_id)
    before = _snapshot(member, MEMBER_FIELDS)
    merged = {**{f: getattr(member, f) for f in MEMBER_FIELDS}, **fields}
    if "id_number" in fields or "birth_date" in fields or "sex" in fields or "id_type" in fields:
        merged = _check_identity(merged)
        clash = (
            Member.objects.filter(id_number_index=index_of(Member, "id_number", merged["id_number"]))
            .exclude(pk=member.pk)
            .select_related("household")
            .first()
        )
        if clash is not None:
            raise ApplicationError(
                f"证件号码 {mask_id(merged['id_number'])} 已登记在户 {clash.household.code}（{clash.household}）。"
            )
    if (
        merged.get("relation") == "户主"
        and household.members.filter(relation="户主").exclude(pk=member.pk).exists()
    ):
        raise ApplicationError("该户已有户主；请先把原户主改为其他关系。")
    for name, value in merged.items():
        setattr(member, name, value)
    sync_derived(member)
    member.full_clean(exclude=["household"])
    member.save()
    _refresh_household_people(household)
    after = _snapshot(member, MEMBER_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit_record(
            actor=actor,
            action="member.update",
            subject=household.code,
            obj=member,
            area_code=household.village_id,
            object_repr=f"{household.code} {member.name}",
            before={k: before[k] for k in changed},
            after=changed,
        )
    return member


@transaction.atomic
def member_remove(*, actor: Any, member: Member, reason: str) -> None:
    household = _lock(member.household)
    check_permission(actor, Permission.EDIT, household.village_id)
    if not reason.strip():
        raise ApplicationError("请填写减员原因（如死亡、婚出、户口迁出）。")
    snapshot = _snapshot(member, MEMBER_FIELDS)
    member.delete()
    _refresh_household_people(household)
    audit_record(
        actor=actor,
        action="member.remove",
        subject=household.code,
        object_type="registry.member",
        object_repr=f"{household.code} {snapshot['name']}",
        area_code=household.village_id,
        before=snapshot,
        note=reason,
    )


@transaction.atomic
def income_record_set(
    *, actor: Any, household: Household, year: int, month: int, months: int = 1, **components: Decimal
) -> IncomeRecord:
    """Create or replace a monthly (months=1) or annual (months=12, month=1) income record."""
    household = _lock(household)
    check_permission(actor, Permission.EDIT, household.village_id)
    if months not in (1, 12):
        raise ApplicationError("收入记录只能是月度（1 个月）或年度（12 个月）。")
    if months == 12:
        month = 1
    today = date.today()
    if (
        not (1 <= month <= 12)
        or not (2000 <= year <= today.year)
        or (months == 1 and (year, month) > (today.year, today.month))
    ):
        raise ApplicationError(f"年月 {year}{month:02d} 不合理。")
    clean = {}
    for name, value in components.items():
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
            if not amount.is_finite():  # "NaN" quantizes quietly, then fails the range check below
                raise ValueError(value)
        except Exception:  # noqa: BLE001
            raise ApplicationError(
                f"{IncomeRecord._meta.get_field(name).verbose_name}“{value}”不是数字。"
            ) from None
        if amount < 0 or amount > Decimal("100000000"):
            raise ApplicationError(
                f"{IncomeRecord._meta.get_field(name).verbose_name} {amount} 超出合理范围。"
            )
        clean[name] = amount
    record, created = IncomeRecord.objects.update_or_create(
        household=household, year=year, month=month, months=months, defaults=clean
    )
    household_income_refresh(household=household)
    audit_record(
        actor=actor,
        action="income.set",
        subject=household.code,
        obj=record,
        area_code=household.village_id,
        object_repr=f"{household.code} {year}-{month:02d}",
        after={k: str(v) for k, v in clean.items()},
        note="新增" if created else "更新",
    )
    return record


def household_income_refresh(*, household: Household) -> None:
    """Recompute 家庭纯收入 and 人均纯收入 over the 12 months ending at the latest record."""
    households_income_refresh([household.pk])


@transaction.atomic
def household_personal_reveal(*, actor: Any, household: Household, reason: str) -> None:
    """Record that `actor` viewed this household's personal data in full (one record at a time)."""
    check_permission(actor, Permission.VIEW_PERSONAL, household.village_id)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ApplicationError("请填写查看完整个人信息的事由（如：入户核实、电话回访）。")
    audit_record(
        actor=actor,
        action="personal.reveal",
        obj=household,
        subject=household.code,
        area_code=household.village_id,
        note=reason[:500],
    )

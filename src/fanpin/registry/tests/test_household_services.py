"""Registry services: what a village cadre or county clerk checks when entering households, members
and incomes. Every write is area- and role-checked and leaves one audit event."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.core.errors import ApplicationError
from fanpin.core.masking import mask_values
from fanpin.core.models import AuditEvent
from fanpin.registry import idnumber
from fanpin.registry.income import income_over_12_months
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.services.households import (
    household_create,
    household_update,
    income_record_set,
    member_add,
    member_remove,
    member_update,
)

pytestmark = pytest.mark.django_db

QLZ = "140321201249"  # 平定县 岔口乡 秋林庄村 (the village user's village)
CHAKOU = "140321201204"  # 岔口村, same township
GUANSHAN = "140321100011"  # 冠山镇, same county, another township
YUXIAN = "140322100101"  # 盂县, another county
TAIYUAN = "140105001001"  # 太原 小店区, another city


def resident_id(birth: date = date(1968, 3, 9), seq: int = 123, region: str = "140321") -> str:
    return idnumber.make(region, birth, seq)


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pd_county")


@pytest.fixture
def household(village_user):
    return household_create(
        actor=village_user, code="140321201249000001", village_code=QLZ, household_type="脱贫户"
    )


def add_head(actor, household, name="张大山", **kw):
    return member_add(
        actor=actor,
        household=household,
        name=name,
        id_number=kw.pop("id_number", resident_id()),
        relation="户主",
        **kw,
    )


# --- household_create ---------------------------------------------------------------------------


def test_create_denormalises_all_higher_codes_from_the_village(county_user):
    h = household_create(actor=county_user, code="HC-1", village_code=GUANSHAN, household_type="一般农户")
    h = Household.objects.get(pk=h.pk)
    assert h.village_id == "140321100011"
    assert h.province_code == "14"
    assert h.city_code == "1403"
    assert h.county_code == "140321"
    assert h.township_code == "140321100"
    assert h.version == 1


def test_create_refuses_an_unknown_village(county_user):
    with pytest.raises(ApplicationError, match="村代码“140321201999”不存在"):
        household_create(actor=county_user, code="HC-2", village_code="140321201999", household_type="脱贫户")
    assert not Household.objects.filter(code="HC-2").exists()


@pytest.mark.parametrize("code", ["140321201", "140321", "14"])
def test_create_refuses_a_code_that_is_not_a_village(county_user, code):
    with pytest.raises(ApplicationError, match="请选择一个村"):
        household_create(actor=county_user, code="HC-3", village_code=code, household_type="脱贫户")
    assert not Household.objects.filter(code="HC-3").exists()


def test_create_refuses_a_duplicate_code_and_names_the_existing_household(village_user, household):
    add_head(village_user, household, name="张大山")
    with pytest.raises(ApplicationError) as exc:
        household_create(
            actor=village_user, code="140321201249000001", village_code=QLZ, household_type="一般农户"
        )
    message = exc.value.message
    assert "140321201249000001" in message and "已存在" in message
    assert "张大山" in message  # the existing household's head, so the cadre knows which one
    assert Household.objects.filter(code="140321201249000001").count() == 1


def test_create_refuses_a_village_outside_the_actors_area(village_user):
    with pytest.raises(PermissionDenied):
        household_create(actor=village_user, code="HC-4", village_code=CHAKOU, household_type="脱贫户")
    with pytest.raises(PermissionDenied):
        household_create(actor=village_user, code="HC-5", village_code=YUXIAN, household_type="脱贫户")
    assert not Household.objects.filter(code__in=["HC-4", "HC-5"]).exists()
    assert not AuditEvent.objects.filter(action="household.create").exists()


def test_create_refuses_an_actor_without_edit_permission(make_user):
    inspector = make_user("inspector", "140321")  # read-only, although the village is in the area
    with pytest.raises(PermissionDenied):
        household_create(actor=inspector, code="HC-6", village_code=QLZ, household_type="脱贫户")
    assert not Household.objects.filter(code="HC-6").exists()


def test_create_writes_one_audit_event(village_user):
    h = household_create(
        actor=village_user, code="HC-7", village_code=QLZ, household_type="一般农户", phone="13800000000"
    )
    event = AuditEvent.objects.get(action="household.create")
    assert event.actor == village_user
    assert event.object_type == "registry.household"
    assert event.object_id == str(h.pk)
    assert event.area_code == QLZ
    assert event.after["household_type"] == "一般农户"
    assert "13800000000" not in str(event.after)  # encrypted in the audit table too
    assert mask_values(event.after, show=True)["phone"] == "13800000000"
    assert mask_values(event.after)["phone"] == "138****0000"


# --- household_update ---------------------------------------------------------------------------


def test_update_with_a_stale_version_is_refused_and_changes_nothing(village_user, county_user, household):
    seen = household.version
    household_update(actor=county_user, household=household, version=seen, phone="13511112222")
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError, match="已被他人修改"):
        household_update(actor=village_user, household=household, version=seen, phone="13600000000")
    fresh = Household.objects.get(pk=household.pk)
    assert fresh.phone == "13511112222"  # the other editor's value stays
    assert fresh.version == seen + 1
    assert AuditEvent.objects.count() == events


def test_update_with_the_right_version_bumps_it_and_audits_only_changed_fields(village_user, household):
    updated = household_update(
        actor=village_user,
        household=household,
        version=household.version,
        phone="13800001111",
        address="秋林庄村 12 号",
        household_type="脱贫户",  # unchanged
    )
    assert updated.version == 2
    fresh = Household.objects.get(pk=household.pk)
    assert (fresh.version, fresh.phone, fresh.address) == (2, "13800001111", "秋林庄村 12 号")
    event = AuditEvent.objects.get(action="household.update")
    assert event.actor == village_user
    assert event.before == {"phone": "", "address": ""}
    assert "13800001111" not in str(event.after)  # the phone is encrypted in the audit table
    assert mask_values(event.after, show=True) == {"phone": "13800001111", "address": "秋林庄村 12 号"}


# --- member_add / member_update / member_remove -------------------------------------------------


def test_member_add_derives_birth_date_and_sex_from_the_resident_id(village_user, household):
    woman = member_add(
        actor=village_user,
        household=household,
        name="李秀英",
        id_number=resident_id(date(1972, 11, 30), 246),
        relation="配偶",
    )
    man = member_add(
        actor=village_user,
        household=household,
        name="张小明",
        id_number=resident_id(date(2001, 1, 2), 135).replace("X", "x"),  # lower-case x accepted too
        relation="之子",
    )
    woman.refresh_from_db()
    man.refresh_from_db()
    assert (woman.birth_date, woman.sex) == (date(1972, 11, 30), "女")
    assert (man.birth_date, man.sex) == (date(2001, 1, 2), "男")
    assert man.id_number == resident_id(date(2001, 1, 2), 135)
    assert AuditEvent.objects.filter(action="member.add").count() == 2


def test_member_add_refuses_a_bad_checksum_with_the_reason(village_user, household):
    good = resident_id()
    wrong_last = "0" if good[-1] != "0" else "1"
    with pytest.raises(ApplicationError) as exc:
        member_add(actor=village_user, household=household, name="王五", id_number=good[:17] + wrong_last)
    assert "校验位错误" in exc.value.message
    assert f"应为“{good[-1]}”" in exc.value.message
    assert not Member.objects.exists()


def test_member_add_refuses_a_birth_date_that_contradicts_the_id(village_user, household):
    with pytest.raises(ApplicationError, match="出生日期 19680310 与身份证号码中的 19680309 不一致"):
        member_add(
            actor=village_user,
            household=household,
            name="王五",
            id_number=resident_id(date(1968, 3, 9)),
            birth_date=date(1968, 3, 10),
        )
    assert not Member.objects.exists()


def test_member_add_refuses_a_sex_that_contradicts_the_id(village_user, household):
    with pytest.raises(ApplicationError, match="性别“女”与身份证号码（男）不一致"):
        member_add(
            actor=village_user, household=household, name="王五", id_number=resident_id(seq=123), sex="女"
        )
    assert not Member.objects.exists()


@pytest.mark.parametrize("length", [18, 19, 21, 23])
def test_member_add_refuses_a_disability_certificate_of_wrong_length(village_user, household, length):
    number = resident_id() + "4" * (length - 18)
    with pytest.raises(ApplicationError, match=f"残疾人证号应为 20 或 22 位，实际 {length} 位"):
        member_add(actor=village_user, household=household, name="王五", id_type="残疾人证", id_number=number)
    assert not Member.objects.exists()


@pytest.mark.parametrize("length", [20, 22])
def test_member_add_accepts_a_disability_certificate_of_20_or_22(village_user, household, length):
    number = resident_id() + "1" * (length - 18)
    m = member_add(actor=village_user, household=household, name="王五", id_type="残疾人证", id_number=number)
    assert Member.objects.get(pk=m.pk).id_number == number


def test_member_add_refuses_a_second_head(village_user, household):
    add_head(village_user, household)
    with pytest.raises(ApplicationError, match="已有户主"):
        member_add(
            actor=village_user,
            household=household,
            name="李四",
            id_number=resident_id(seq=457),
            relation="户主",
        )
    assert list(household.members.values_list("name", flat=True)) == ["张大山"]


def test_member_add_refuses_an_id_of_another_household_naming_both_masked(village_user, household):
    number = resident_id()
    add_head(village_user, household, id_number=number)
    other = household_create(
        actor=village_user, code="140321201249000002", village_code=QLZ, household_type="一般农户"
    )
    with pytest.raises(ApplicationError) as exc:
        member_add(actor=village_user, household=other, name="张大山", id_number=number, relation="户主")
    message = exc.value.message
    assert "140321201249000001" in message  # where the person already is
    assert "140321201249000002" in message  # where the cadre tried to add them
    assert number not in message
    assert not re.search(
        r"\d{17}[\dX]", message.replace("140321201249000001", "").replace("140321201249000002", "")
    )
    assert f"{number[:6]}********{number[-4:]}" in message
    assert other.members.count() == 0


def test_size_and_head_name_follow_member_changes(village_user, household):
    head = add_head(village_user, household, name="张大山")
    wife = member_add(
        actor=village_user,
        household=household,
        name="李秀英",
        id_number=resident_id(date(1970, 1, 1), 246),
        relation="配偶",
    )
    household.refresh_from_db()
    assert (household.size, household.head_name) == (2, "张大山")

    # The head dies; the wife becomes head.
    member_remove(actor=village_user, member=head, reason="死亡")
    household.refresh_from_db()
    assert (household.size, household.head_name) == (1, "")
    member_update(actor=village_user, member=wife, relation="户主")
    household.refresh_from_db()
    assert (household.size, household.head_name) == (1, "李秀英")
    member_update(actor=village_user, member=Member.objects.get(pk=wife.pk), name="李秀兰")
    household.refresh_from_db()
    assert household.head_name == "李秀兰"
    removed = AuditEvent.objects.get(action="member.remove")
    assert removed.note == "死亡" and removed.before["name"] == "张大山"


@pytest.mark.parametrize("reason", ["", "   "])
def test_member_remove_requires_a_reason(village_user, household, reason):
    head = add_head(village_user, household)
    with pytest.raises(ApplicationError, match="请填写减员原因"):
        member_remove(actor=village_user, member=head, reason=reason)
    assert Member.objects.filter(pk=head.pk).exists()
    household.refresh_from_db()
    assert household.size == 1


# --- income_record_set --------------------------------------------------------------------------


def window_of(household, end_year, end_month):
    return income_over_12_months(
        list(IncomeRecord.objects.filter(household=household)), end_year=end_year, end_month=end_month
    )


def test_monthly_incomes_are_exact_decimals(village_user, household):
    add_head(village_user, household)
    for m in range(1, 13):
        income_record_set(
            actor=village_user, household=household, year=2025, month=m, wage="0.10", transfer=Decimal("0.10")
        )
    household.refresh_from_db()
    assert household.net_income == Decimal("2.40")  # 0.10 × 12 + 0.10 × 12, no float drift
    assert household.per_capita_income == Decimal("2.40")
    w = window_of(household, 2025, 12)
    assert w.complete and household.net_income == w.net
    rec = IncomeRecord.objects.get(household=household, year=2025, month=7)
    assert rec.wage == Decimal("0.10") and rec.months == 1
    assert AuditEvent.objects.filter(action="income.set").count() == 12


def test_annual_record_and_per_capita_over_the_household(village_user, household):
    add_head(village_user, household)
    member_add(
        actor=village_user,
        household=household,
        name="李秀英",
        id_number=resident_id(date(1970, 1, 1), 246),
        relation="配偶",
    )
    rec = income_record_set(
        actor=village_user,
        household=household,
        year=2025,
        month=7,  # ignored for an annual record
        months=12,
        wage="12000",
        business="3000.50",
        transfer="1200",
        business_cost="1000",
    )
    assert (rec.month, rec.months) == (1, 12)
    household.refresh_from_db()
    w = window_of(household, 2025, 12)
    assert household.net_income == w.net == Decimal("15200.50")
    assert household.per_capita_income == w.per_capita(2) == Decimal("7600.25")


def test_refresh_uses_the_latest_twelve_months(village_user, household):
    add_head(village_user, household)
    income_record_set(actor=village_user, household=household, year=2024, month=1, months=12, wage="12000")
    for m in (1, 2, 3):
        income_record_set(actor=village_user, household=household, year=2025, month=m, wage="500")
    household.refresh_from_db()
    # Window 2024-04 … 2025-03: nine twelfths of 2024's 12000 plus three monthly 500s.
    expected = window_of(household, 2025, 3)
    assert expected.months_covered == 12
    assert household.net_income == expected.net == Decimal("10500.00")
    assert household.per_capita_income == Decimal("10500.00")


def test_setting_the_same_month_again_replaces_it(village_user, household):
    add_head(village_user, household)
    income_record_set(actor=village_user, household=household, year=2025, month=5, wage="800")
    income_record_set(actor=village_user, household=household, year=2025, month=5, wage="900")
    assert IncomeRecord.objects.get(household=household, year=2025, month=5).wage == Decimal("900.00")
    household.refresh_from_db()
    assert household.net_income == Decimal("900.00")


@pytest.mark.parametrize("value", ["abc", "1,000", "", "NaN"])
def test_income_refuses_non_numeric_amounts(village_user, household, value):
    with pytest.raises(ApplicationError, match="不是数字"):
        income_record_set(actor=village_user, household=household, year=2025, month=1, wage=value)
    assert not IncomeRecord.objects.exists()


@pytest.mark.parametrize("value", ["-0.01", "100000000.01", "1e9"])
def test_income_refuses_negative_and_absurd_amounts(village_user, household, value):
    with pytest.raises(ApplicationError, match="超出合理范围"):
        income_record_set(actor=village_user, household=household, year=2025, month=1, transfer=value)
    assert not IncomeRecord.objects.exists()
    household.refresh_from_db()
    assert household.net_income is None


def test_income_refuses_a_future_year(village_user, household):
    next_year = date.today().year + 1
    with pytest.raises(ApplicationError, match=f"{next_year}01 不合理"):
        income_record_set(actor=village_user, household=household, year=next_year, month=1, wage="100")
    with pytest.raises(ApplicationError, match="不合理"):
        income_record_set(
            actor=village_user, household=household, year=next_year, month=1, months=12, wage="100"
        )
    assert not IncomeRecord.objects.exists()


def test_income_write_is_area_checked(make_user, household):
    neighbour = make_user("village", CHAKOU)
    with pytest.raises(PermissionDenied):
        income_record_set(actor=neighbour, household=household, year=2025, month=1, wage="100")
    assert not IncomeRecord.objects.exists()


def test_income_refuses_a_future_month_of_this_year(village_user, household):
    today = date.today()
    if today.month == 12:
        pytest.skip("no future month left in this year")
    with pytest.raises(ApplicationError, match="不合理"):
        income_record_set(
            actor=village_user, household=household, year=today.year, month=today.month + 1, wage="100"
        )
    assert not IncomeRecord.objects.exists()
    income_record_set(actor=village_user, household=household, year=today.year, month=today.month, wage="1")
    assert IncomeRecord.objects.count() == 1


def test_per_capita_income_follows_the_household_size(village_user, household):
    """人均纯收入 = 家庭纯收入 / 家庭人口: a birth or a death after the incomes were entered changes it."""
    add_head(village_user, household)
    income_record_set(actor=village_user, household=household, year=2025, month=1, months=12, wage="9000")
    household.refresh_from_db()
    assert household.per_capita_income == Decimal("9000.00")
    child = member_add(
        actor=village_user,
        household=household,
        name="张小宝",
        id_number=resident_id(date(2025, 6, 1), 222),
        relation="之子",
    )
    household.refresh_from_db()
    assert household.size == 2
    assert household.net_income == Decimal("9000.00")
    assert household.per_capita_income == Decimal("4500.00")
    member_remove(actor=village_user, member=child, reason="户口迁出")
    household.refresh_from_db()
    assert household.per_capita_income == Decimal("9000.00")

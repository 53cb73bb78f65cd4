"""Household plans through the services: add, change, end a measure; what refuses and why; audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.assistance.selectors import household_measures, measure_list
from fanpin.assistance.services.catalogue import measure_item_add
from fanpin.assistance.services.measures import measure_add, measure_end, measure_update
from fanpin.assistance.tests import world
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_pingding_household_plan_of_three_measures(village_user):
    """Domain §11: 平定县供水管理局 with one responsible person; 公益岗位 for the disabled son,
    残疾人补贴, and 外出务工 for the other son."""
    h = world.household(
        risks=("因病", "因残"), labour=("弱劳动力或半劳动力", "弱劳动力或半劳动力", "普通劳动力")
    )
    water = world.unit("平定县供水管理局")
    wang = world.person(water, "王建国")
    son = h.members.get(name__endswith="-1")
    add = dict(actor=village_user, household=h, unit=water, persons=[wang])
    job = measure_add(
        category="100A42", item="公益性岗位", amount="10800", start=date(2021, 7, 1), member=son, **add
    )
    measure_add(category="100A48", item="残疾人补贴", amount="1068", start=date(2021, 7, 1), **add)
    measure_add(category="100A40", item="外出务工", amount="24000", start=date(2021, 8, 1), **add)

    all_measures = list(household_measures(household=h))
    assert [(m.category, m.item) for m in all_measures] == [
        ("100A42", "公益性岗位"),
        ("100A48", "残疾人补贴"),
        ("100A40", "外出务工"),
    ]
    assert job.amount == Decimal("10800.00") and isinstance(job.amount, Decimal)
    assert job.member == son and job.category_name == "公益岗位帮扶"
    assert [p.name for p in all_measures[0].persons.all()] == ["王建国"]
    assert all_measures[0].unit.name == "平定县供水管理局"
    # In place on 2021-07-15: the job and the subsidy, not yet the migrant work.
    july = household_measures(household=h, on=date(2021, 7, 15))
    assert sorted(m.item for m in july) == ["公益性岗位", "残疾人补贴"]
    events = AuditEvent.objects.filter(subject=h.code, action="assistance.measure_add")
    assert events.count() == 3
    assert events.first().actor == village_user


def test_in_place_dates_are_inclusive():
    h = world.household()
    m = world.measure(h, "100A40", "外出务工", start=date(2022, 1, 1), end=date(2022, 3, 31))
    assert list(household_measures(household=h, on=date(2022, 1, 1))) == [m]
    assert list(household_measures(household=h, on=date(2022, 3, 31))) == [m]
    assert list(household_measures(household=h, on=date(2021, 12, 31))) == []
    assert list(household_measures(household=h, on=date(2022, 4, 1))) == []


@pytest.mark.parametrize(
    "change,message",
    [
        ({"item": "低保"}, "不是“就业帮扶”下的帮扶项目"),
        ({"category": "100A99"}, "帮扶措施类别“100A99”不存在"),
        ({"amount": "-5"}, "金额 -5 元不合理"),
        ({"amount": "12.345"}, "最多保留两位小数"),
        ({"amount": "NaN"}, "金额 NaN 元不合理"),
        ({"amount": "Infinity"}, "金额 Infinity 元不合理"),
        ({"amount": "一万"}, "不是数字"),
        ({"start": None}, "请填写措施开始日期"),
        ({"end": date(2021, 6, 30)}, "结束日期 2021-06-30 早于开始日期 2021-07-01"),
        ({"persons": []}, "请至少选择一名帮扶责任人"),
        ({"unit": None}, "请选择帮扶单位"),
    ],
)
def test_measure_refusals_name_the_problem(village_user, change, message):
    h = world.household()
    u = world.unit()
    fields = dict(
        category="100A40", item="外出务工", start=date(2021, 7, 1), unit=u, persons=[world.person(u)]
    )
    fields.update(change)
    with pytest.raises(ApplicationError, match=message):
        measure_add(actor=village_user, household=h, **fields)
    assert not household_measures(household=h).exists()


def test_unit_of_another_county_cannot_serve():
    h = world.household()
    yuxian = world.unit("盂县水务局", area="140322")
    with pytest.raises(ApplicationError, match="不负责该户所在的村"):
        world.measure(h, "100A51", "饮水工程", u=yuxian, persons=[world.person(yuxian)])


def test_county_item_is_usable_in_the_county_only(make_user):
    county = make_user("county", "140321")
    measure_item_add(actor=county, category="100A39", name="连翘种植")
    h = world.household()
    m = world.measure(h, "100A39", "连翘种植")
    assert m.item == "连翘种植"
    other = world.household(village=world.YUXIAN)
    u = world.unit("盂县农业农村局", area="140322")
    with pytest.raises(ApplicationError, match="不是“产业帮扶”下的帮扶项目"):
        world.measure(other, "100A39", "连翘种植", u=u, persons=[world.person(u)])


def test_village_staff_cannot_plan_outside_their_village(village_user):
    h = world.household(village=world.CHAKOU)
    u = world.unit()
    with pytest.raises(PermissionDenied):
        measure_add(
            actor=village_user,
            household=h,
            category="100A40",
            item="外出务工",
            start=date(2021, 7, 1),
            unit=u,
            persons=[world.person(u)],
        )


def test_inspector_cannot_add_measures(make_user):
    inspector = make_user("inspector", "1403")
    h = world.household()
    u = world.unit()
    with pytest.raises(PermissionDenied):
        measure_add(
            actor=inspector,
            household=h,
            category="100A40",
            item="外出务工",
            start=date(2021, 7, 1),
            unit=u,
            persons=[world.person(u)],
        )


def test_update_and_end_are_audited_with_before_and_after(village_user):
    h = world.household()
    m = world.measure(h, "100A40", "外出务工", amount="20000")
    second = world.person(m.unit, "李红")
    m = measure_update(
        actor=village_user, measure=m, version=m.version, amount="24000", persons=[*m.persons.all(), second]
    )
    assert m.amount == Decimal("24000.00") and m.version == 2
    event = AuditEvent.objects.get(subject=h.code, action="assistance.measure_update")
    assert event.before == {"amount": "20000.00", "persons": ["王建国"]}
    assert event.after == {"amount": "24000.00", "persons": ["李红", "王建国"]}
    with pytest.raises(ApplicationError, match="已被他人修改"):
        measure_update(actor=village_user, measure=m, version=1, amount="1")

    ended = measure_end(actor=village_user, measure=m, end=date(2022, 2, 28), reason="已稳定就业")
    assert ended.end == date(2022, 2, 28) and ended.end_reason == "已稳定就业"
    assert list(household_measures(household=h, on=date(2022, 3, 1))) == []
    event = AuditEvent.objects.get(subject=h.code, action="assistance.measure_end")
    assert event.after == {"end": "2022-02-28", "end_reason": "已稳定就业"}
    with pytest.raises(ApplicationError, match="已于 2022-02-28 结束"):
        measure_end(actor=village_user, measure=m, end=date(2022, 3, 31), reason="再次结束")


def test_end_needs_a_reason_and_a_date_after_start(village_user):
    h = world.household()
    m = world.measure(h, "100A40", "外出务工", start=date(2022, 1, 1))
    with pytest.raises(ApplicationError, match="请填写结束原因"):
        measure_end(actor=village_user, measure=m, end=date(2022, 5, 1), reason=" ")
    with pytest.raises(ApplicationError, match="早于措施开始日期 2022-01-01"):
        measure_end(actor=village_user, measure=m, end=date(2021, 12, 31), reason="到期")
    # An end date in the future can be moved again until it has passed.
    later = date.today() + timedelta(days=30)
    m = measure_end(actor=village_user, measure=m, end=later, reason="政策到期")
    m = measure_end(actor=village_user, measure=m, end=later + timedelta(days=30), reason="延长一月")
    assert m.end == later + timedelta(days=30)


def test_measure_list_is_bounded_by_area(village_user, make_user):
    inside = world.household()
    outside = world.household(village=world.CHAKOU)
    world.measure(inside, "100A40", "外出务工")
    world.measure(outside, "100A40", "外出务工")
    assert [m.household_id for m in measure_list(user=village_user)] == [inside.pk]
    township = make_user("township", "140321201")
    assert {m.household_id for m in measure_list(user=township)} == {inside.pk, outside.pk}
    assert measure_list(user=village_user, filters={"area": world.CHAKOU}).count() == 0

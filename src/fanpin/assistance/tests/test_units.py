"""Responsible units and persons, and the catalogue, through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.assistance.selectors import catalogue_items, person_list, unit_list
from fanpin.assistance.services.catalogue import measure_item_add, measure_item_set_active
from fanpin.assistance.services.units import person_create, person_update, unit_create, unit_update
from fanpin.assistance.tests import world
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_seeded_catalogue_has_every_category_and_the_domain_items():
    items = {(i.category, i.name) for i in catalogue_items(user=None) or []}
    assert items == set()  # nobody logged in sees nothing
    from fanpin.assistance.models import MeasureItem

    seeded = set(MeasureItem.objects.filter(area_code="").values_list("category", "name"))
    assert {c for c, _ in seeded} == {
        "100A39", "100A40", "100A41", "100A42", "100A45", "100A46", "100A47",
        "100A48", "100A50", "100A51", "100A52", "100A53", "100A54", "100A55",
    }  # fmt: skip
    for pair in [
        ("100A42", "公益性岗位"),
        ("100A48", "低保"),
        ("100A48", "特困供养"),
        ("100A48", "临时救助"),
        ("100A48", "残疾人补贴"),
        ("100A40", "外出务工"),
        ("100A40", "劳务输出"),
        ("100A40", "外出务工补贴"),
        ("100A41", "小额信贷"),
        ("100A47", "雨露计划"),
        ("100A53", "易地搬迁后续扶持"),
    ]:
        assert pair in seeded, pair


def test_catalogue_extension_rules(make_user):
    county = make_user("county", world.PINGDING)
    township = make_user("township", "140321201")
    item = measure_item_add(actor=county, category="100A39", name="连翘种植")
    assert item.area_code == "140321"
    with pytest.raises(ApplicationError, match="已有项目“连翘种植”"):
        measure_item_add(actor=county, category="100A39", name="连翘种植")
    with pytest.raises(ApplicationError, match="已有项目“低保”（全国目录）"):
        measure_item_add(actor=county, category="100A48", name="低保")
    with pytest.raises(PermissionDenied):
        measure_item_add(actor=township, category="100A39", name="核桃种植")
    assert "连翘种植" in {i.name for i in catalogue_items(user=township)}
    measure_item_set_active(actor=county, item=item, active=False)
    assert "连翘种植" not in {i.name for i in catalogue_items(user=township)}
    assert AuditEvent.objects.filter(action__startswith="assistance.item_").count() == 2


def test_unit_and_person_writes(make_user, village_user):
    county = make_user("county", world.PINGDING)
    unit = unit_create(actor=county, name="平定县供水管理局", area_code="140321", kind="县直部门")
    with pytest.raises(ApplicationError, match="已有帮扶单位"):
        unit_create(actor=county, name="平定县供水管理局", area_code="140321")
    with pytest.raises(ApplicationError, match="所属区划代码“999999”不存在"):
        unit_create(actor=county, name="某单位", area_code="999999")
    with pytest.raises(PermissionDenied):
        unit_create(actor=village_user, name="平定县民政局", area_code="140321")
    with pytest.raises(PermissionDenied):
        unit_update(actor=village_user, unit=unit, name="改名")
    person = person_create(actor=county, unit=unit, name="王建国", post="副局长", phone="0353 6012345")
    assert person.phone == "03536012345"
    with pytest.raises(ApplicationError, match="联系电话“.*”格式不对"):
        person_create(actor=county, unit=unit, name="李四", phone="12ab")
    person = person_update(actor=county, person=person, post="局长")
    event = AuditEvent.objects.get(action="assistance.person_update")
    assert event.before == {"post": "副局长"} and event.after == {"post": "局长"}
    unit_update(actor=county, unit=unit, active=False)
    with pytest.raises(ApplicationError, match="已停用"):
        person_create(actor=county, unit=unit, name="赵六")
    # The village cadre sees the county's unit and persons; a cadre of 盂县 does not.
    assert list(unit_list(user=village_user)) == [unit]
    assert list(person_list(user=village_user)) == [person]
    yuxian = make_user("village", world.YUXIAN)
    assert not unit_list(user=yuxian).exists() and not person_list(user=yuxian).exists()

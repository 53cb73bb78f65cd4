"""The §5 consistency rules, each with a failing and a passing household built through the services,
and the list of failing households per area."""

from __future__ import annotations

from datetime import date

import pytest

from fanpin.assistance.selectors import household_consistency, inconsistent_households
from fanpin.assistance.services.measures import measure_end
from fanpin.assistance.tests import world
from fanpin.registry.services.households import household_update

pytestmark = pytest.mark.django_db


def rules(h) -> list[str]:
    return [p.rule for p in household_consistency(household=h)]


@pytest.mark.parametrize(
    "setup,rule,fix",
    [
        ({"risks": ("因病",)}, "ILLNESS_HEALTH", ("100A45", "医疗救助")),
        ({"member_uninsured": True}, "ILLNESS_HEALTH", ("100A52", "结对帮扶")),
        ({"risks": ("因学",)}, "STUDY_EDUCATION", ("100A47", "雨露计划")),
        ({"risks": ("义务教育阶段适龄儿童少年失学辍学",)}, "DROPOUT_COMPULSORY", ("100A46", "控辍保学")),
        ({"dropout": True}, "DROPOUT_COMPULSORY", ("100A46", "送教上门")),
        ({"risks": ("因残",)}, "DISABILITY_PROTECTION", ("100A48", "残疾人补贴")),
        ({"risks": ("住房出现安全问题",)}, "HOUSING_SAFETY", ("100A50", "危房改造")),
        ({"house_grade": "D"}, "HOUSING_SAFETY", ("100A53", "易地搬迁后续扶持")),
        ({"risks": ("饮水出现安全问题",)}, "WATER_SAFETY", ("100A51", "饮水工程")),
        ({"water_quality_ok": False}, "WATER_SAFETY", ("100A51", "水质提升")),
    ],
)
def test_risk_needs_its_measure(setup, rule, fix):
    h = world.household(**setup)
    world.measure(h, "100A40", "外出务工")  # development help: the labour rule is satisfied
    assert rules(h) == [rule]
    problem = household_consistency(household=h)[0]
    assert "请添加" in problem.message
    world.measure(h, *fix)
    assert rules(h) == []


def test_social_assistance_does_not_satisfy_the_dropout_rule():
    h = world.household(risks=("义务教育阶段适龄儿童少年失学辍学",))
    world.measure(h, "100A40", "外出务工")
    world.measure(h, "100A52", "结对帮扶")
    assert rules(h) == ["DROPOUT_COMPULSORY"]
    assert "义务教育保障（100A46）" in household_consistency(household=h)[0].message


def test_monitored_household_without_any_measure():
    h = world.household()
    assert rules(h) == ["NO_MEASURE"]
    world.measure(h, "100A40", "外出务工")
    assert rules(h) == []


def test_household_not_monitored_needs_no_measure():
    h = world.household(category="")
    assert rules(h) == []
    eliminated = world.household(risk_eliminated=True, elimination_method="帮扶消除")
    assert rules(eliminated) == []


def test_household_with_labour_must_not_have_protection_alone():
    h = world.household(labour=("普通劳动力", "丧失劳动力"))
    world.measure(h, "100A48", "低保")
    problems = household_consistency(household=h)
    assert [p.rule for p in problems] == ["LABOUR_DEVELOPMENT"]
    assert "有 1 名劳动力" in problems[0].message and "就业帮扶（100A40）" in problems[0].message
    world.measure(h, "100A42", "公益性岗位")
    assert rules(h) == []


def test_weak_labour_counts_as_labour():
    h = world.household(labour=("弱劳动力或半劳动力",))
    world.measure(h, "100A48", "低保")
    assert rules(h) == ["LABOUR_DEVELOPMENT"]


def test_household_without_labour_needs_protection():
    h = world.household(labour=("丧失劳动力", "无劳动力"))
    world.measure(h, "100A52", "结对帮扶")
    assert rules(h) == ["NO_LABOUR_PROTECTION"]
    world.measure(h, "100A48", "特困供养")
    assert rules(h) == []


def test_whole_household_without_labour_flag_overrides_members():
    h = world.household(labour=("普通劳动力",), whole_no_labour=True)
    world.measure(h, "100A40", "外出务工")
    assert rules(h) == ["NO_LABOUR_PROTECTION"]


def test_labour_unknown_without_members_checks_neither_principle():
    h = world.household(labour=())
    world.measure(h, "100A48", "低保")
    assert rules(h) == []


def test_sudden_hardship_needs_emergency_relief():
    h = world.household(category="突发严重困难户")
    world.measure(h, "100A40", "外出务工")
    assert rules(h) == ["SUDDEN_RELIEF"]
    world.measure(h, "100A48", "临时救助")
    assert rules(h) == []


def test_ended_measures_do_not_count():
    h = world.household(risks=("因病",))
    world.measure(h, "100A40", "外出务工")
    health = world.measure(h, "100A45", "医疗救助")
    assert rules(h) == []
    measure_end(actor="测试", measure=health, end=date(2022, 1, 31), reason="已康复")
    assert rules(h) == ["ILLNESS_HEALTH"]


def test_imported_measures_count_by_category():
    h = world.household(risks=("因病", "因残"))
    household_update(
        actor="测试",
        household=h,
        measures_recorded={"健康帮扶": "医疗救助", "综合保障": "否", "就业帮扶": "劳务输出"},
    )
    h.refresh_from_db()
    # 健康帮扶 comes from the import; 综合保障 "否" is no measure, so 因残 is still open.
    assert rules(h) == ["DISABILITY_PROTECTION"]
    world.measure(h, "100A48", "残疾人补贴")
    assert rules(h) == []


def test_imported_relief_text_counts_for_sudden_hardship():
    h = world.household(category="突发严重困难户")
    household_update(
        actor="测试", household=h, measures_recorded={"综合保障": "临时救助", "就业帮扶": "外出务工"}
    )
    h.refresh_from_db()
    assert rules(h) == []


def test_failing_households_per_area(make_user):
    good = world.household()
    world.measure(good, "100A40", "外出务工")
    bad = world.household(risks=("饮水出现安全问题",))
    world.measure(bad, "100A40", "外出务工")
    empty = world.household(village=world.CHAKOU)
    far = world.household(village=world.YUXIAN)  # another county
    village = make_user("village", world.QLZ)
    county = make_user("county", world.PINGDING)

    listed = inconsistent_households(user=village)
    assert [(f.household.pk, [p.rule for p in f.problems]) for f in listed] == [(bad.pk, ["WATER_SAFETY"])]
    in_county = {f.household.pk for f in inconsistent_households(user=county)}
    assert in_county == {bad.pk, empty.pk}
    assert far.pk not in in_county
    only = inconsistent_households(user=county, rule="NO_MEASURE")
    assert [f.household.pk for f in only] == [empty.pk]
    assert [f.household.pk for f in inconsistent_households(user=county, area_code=world.CHAKOU)] == [
        empty.pk
    ]

"""Visits through the service, and the monthly visit coverage per village against counts made here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.assistance.selectors import coverage_rollup, coverage_total, visit_coverage, visit_list
from fanpin.assistance.services.visits import visit_record
from fanpin.assistance.tests import world
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def visit(h, day: date, actor="测试"):
    return visit_record(actor=actor, household=h, visited_on=day, visitors="张村干", findings="生活正常")


def test_record_a_visit(village_user):
    h = world.household()
    u = world.unit()
    wang = world.person(u)
    v = visit_record(
        actor=village_user,
        household=h,
        visited_on=date(2025, 6, 3),
        visitors="张村干、王建国",
        persons=[wang],
        findings="儿子已在县城务工，月收入约 2000 元",
        follow_up="下月核实务工收入",
    )
    assert v.recorded_by == village_user and list(v.persons.all()) == [wang]
    assert list(visit_list(user=village_user, filters={"household": h.pk})) == [v]
    event = AuditEvent.objects.get(subject=h.code, action="assistance.visit_record")
    assert event.after["visited_on"] == "2025-06-03" and event.after["persons"] == ["王建国"]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"visited_on": None}, "请填写走访日期"),
        ({"visited_on": date.today() + timedelta(days=5)}, "在今天之后"),
        ({"visited_on": date(2001, 1, 1)}, "太早"),
        ({"visitors": " "}, "请填写走访人"),
        ({"findings": ""}, "请填写走访情况"),
    ],
)
def test_visit_refusals(village_user, fields, message):
    h = world.household()
    data = {"visited_on": date(2025, 6, 3), "visitors": "张村干", "findings": "正常", **fields}
    with pytest.raises(ApplicationError, match=message):
        visit_record(actor=village_user, household=h, **data)


def test_visit_outside_the_area_is_refused(village_user):
    h = world.household(village=world.CHAKOU)
    with pytest.raises(PermissionDenied):
        visit(h, date(2025, 6, 3), actor=village_user)


def test_monthly_coverage_per_village(make_user):
    # 秋林庄村: 4 monitored (one visited twice in June, one visited in May only), 1 eliminated (visited),
    # 1 never monitored (visited). 岔口村: 2 monitored, 1 visited in June. 盂县: 1 monitored, visited.
    qlz = [world.household() for _ in range(4)]
    eliminated = world.household(risk_eliminated=True, elimination_method="自然消除")
    ordinary = world.household(category="")
    chakou = [world.household(village=world.CHAKOU) for _ in range(2)]
    yuxian = world.household(village=world.YUXIAN)
    visit(qlz[0], date(2025, 6, 1))
    visit(qlz[0], date(2025, 6, 30))
    visit(qlz[1], date(2025, 6, 15))
    visit(qlz[2], date(2025, 5, 31))
    visit(qlz[2], date(2025, 7, 1))
    visit(eliminated, date(2025, 6, 10))
    visit(ordinary, date(2025, 6, 10))
    visit(chakou[0], date(2025, 6, 20))
    visit(yuxian, date(2025, 6, 20))

    county = make_user("county", world.PINGDING)
    rows = visit_coverage(user=county, year=2025, month=6)
    by_village = {r.village_code: (r.monitored, r.visited, r.share) for r in rows}
    # Counted by hand from the visits above.
    assert by_village == {
        world.QLZ: (4, 2, Decimal("50.0")),
        world.CHAKOU: (2, 1, Decimal("50.0")),
    }
    names = {r.village_code: (r.township_name, r.village_name) for r in rows}
    assert names[world.QLZ] == ("岔口乡", "秋林庄村委会")
    total = coverage_total(rows)
    assert (total.monitored, total.visited, total.share) == (6, 3, Decimal("50.0"))

    may = {r.village_code: (r.monitored, r.visited) for r in visit_coverage(user=county, year=2025, month=5)}
    assert may == {world.QLZ: (4, 1), world.CHAKOU: (2, 0)}
    village = make_user("village", world.QLZ)
    assert [(r.village_code, r.visited) for r in visit_coverage(user=village, year=2025, month=6)] == [
        (world.QLZ, 2)
    ]
    only = visit_coverage(user=county, year=2025, month=6, area_code=world.CHAKOU)
    assert [(r.village_code, r.monitored, r.visited) for r in only] == [(world.CHAKOU, 2, 1)]
    # Summed per township (both villages are in 岔口乡) and per county, by hand: 6 monitored, 3 visited.
    [township] = coverage_rollup(rows, "township")
    assert (township.village_code, township.village_name, township.township_name) == (
        "140321201",
        "岔口乡",
        "平定县",
    )
    assert (township.monitored, township.visited, township.share) == (6, 3, Decimal("50.0"))
    province = make_user("province", "14")
    by_county = {
        r.village_code: (r.monitored, r.visited)
        for r in coverage_rollup(visit_coverage(user=province, year=2025, month=6), "county")
    }
    assert by_county == {"140321": (6, 3), "140322": (1, 1)}


def test_share_rounds_to_one_decimal(make_user):
    hs = [world.household() for _ in range(3)]
    visit(hs[0], date(2025, 6, 3))
    county = make_user("county", world.PINGDING)
    [row] = visit_coverage(user=county, year=2025, month=6)
    assert (row.monitored, row.visited, row.share) == (3, 1, Decimal("33.3"))
    visit(hs[1], date(2025, 6, 4))
    [row] = visit_coverage(user=county, year=2025, month=6)
    assert row.share == Decimal("66.7")

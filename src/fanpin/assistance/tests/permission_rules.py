"""Assistance endpoints in the permission matrix (see core/tests/permissions_support.py)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from fanpin.accounts.choices import Permission
from fanpin.assistance.models import MeasureItem
from fanpin.assistance.services.measures import measure_add
from fanpin.assistance.services.units import person_create, unit_create
from fanpin.assistance.services.visits import visit_record
from fanpin.core.tests.permissions_support import OUTSIDE_MARKER, Ctx, Rule, make_household, url
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_update


def setup(ctx: Ctx) -> None:
    inside = Household.objects.get(pk=ctx.household_inside)
    outside = Household.objects.get(pk=ctx.household_outside)
    for where, household, area, name in (
        ("inside", inside, ctx.area, "区内帮扶单位"),
        ("outside", outside, ctx.outside, f"{OUTSIDE_MARKER}单位"),
    ):
        unit = unit_create(actor="测试", name=name, area_code=area)
        person = person_create(actor="测试", unit=unit, name=f"{where}责任人", phone="13912345678")
        # A monitored household of its own (named like the core ones: "IN户主" / "OUT户主"), planned
        # and visited this month, so that lists and coverage have something to leak.
        monitored, _, _ = make_household(household.village_id, "IN" if where == "inside" else "OUT")
        monitored = household_update(actor="测试", household=monitored, category="边缘易致贫户")
        for h in (household, monitored):
            measure = measure_add(
                actor="测试",
                household=h,
                category="100A40",
                item="外出务工",
                start=date(2021, 7, 1),
                unit=unit,
                persons=[person],
            )
            visit = visit_record(
                actor="测试", household=h, visited_on=date.today(), visitors="测试", findings=f"{where}走访"
            )
        item = MeasureItem.objects.filter(area_code="").first()
        if where == "outside":
            item = MeasureItem.objects.create(
                category="100A39", name=f"{OUTSIDE_MARKER}项目", area_code=area[:6]
            )
        ctx.extra.update(
            {
                f"unit_{where}": unit.pk,
                f"person_{where}": person.pk,
                f"measure_{where}": measure.pk,
                f"visit_{where}": visit.pk,
                f"item_{where}": item.pk,
            }
        )


def _x(key: str):
    return lambda c: c.extra.get(key, 1)  # the anonymous test has no objects


def _pair(name: str, kwarg: str, key: str, **kw) -> Rule:
    return Rule(
        kw.pop("method", "get"),
        url(name, **{kwarg: _x(f"{key}_inside")}),
        url(name, **{kwarg: _x(f"{key}_outside")}),
        **kw,
    )


def _household(name: str, **kw) -> Rule:
    return Rule(
        kw.pop("method", "get"),
        url(name, household_id=lambda c: c.household_inside),
        url(name, household_id=lambda c: c.household_outside),
        **kw,
    )


def _area_probe(name: str):
    return lambda c: reverse(name) + f"?area={c.outside[:6]}"


RULES = {
    # Pages
    "assistance:plan_list": Rule(
        "get", url("assistance:plan_list"), leak_probe=_area_probe("assistance:plan_list")
    ),
    "assistance:plan": _household("assistance:plan"),
    "assistance:measure_new": _household("assistance:measure_new", permission=Permission.EDIT),
    "assistance:visit_new": _household("assistance:visit_new", permission=Permission.EDIT),
    "assistance:measure_edit": _pair(
        "assistance:measure_edit", "measure_id", "measure", permission=Permission.EDIT
    ),
    "assistance:measure_end": _pair(
        "assistance:measure_end", "measure_id", "measure", permission=Permission.EDIT
    ),
    "assistance:plans_xlsx": Rule("get", url("assistance:plans_xlsx")),
    "assistance:problems": Rule(
        "get", url("assistance:problems"), leak_probe=_area_probe("assistance:problems")
    ),
    "assistance:problems_xlsx": Rule("get", url("assistance:problems_xlsx")),
    "assistance:visit_list": Rule(
        "get", url("assistance:visit_list"), leak_probe=_area_probe("assistance:visit_list")
    ),
    "assistance:coverage": Rule(
        "get", url("assistance:coverage"), leak_probe=_area_probe("assistance:coverage")
    ),
    "assistance:coverage_xlsx": Rule("get", url("assistance:coverage_xlsx")),
    "assistance:unit_list": Rule("get", url("assistance:unit_list"), leak_probe=url("assistance:unit_list")),
    "assistance:unit_new": Rule("get", url("assistance:unit_new"), permission=Permission.EDIT),
    "assistance:unit_detail": _pair("assistance:unit_detail", "unit_id", "unit"),
    "assistance:unit_edit": _pair("assistance:unit_edit", "unit_id", "unit", permission=Permission.EDIT),
    "assistance:person_new": _pair("assistance:person_new", "unit_id", "unit", permission=Permission.EDIT),
    "assistance:person_edit": _pair(
        "assistance:person_edit", "person_id", "person", permission=Permission.EDIT
    ),
    "assistance:person_reveal": _pair(
        "assistance:person_reveal",
        "person_id",
        "person",
        method="post",
        permission=Permission.VIEW_PERSONAL,
        data=lambda c, w: {"reason": "联系帮扶事宜"},
    ),
    "assistance:catalogue": Rule("get", url("assistance:catalogue"), leak_probe=url("assistance:catalogue")),
    "assistance:item_toggle": _pair(
        "assistance:item_toggle",
        "item_id",
        "item",
        method="post",
        permission=Permission.MANAGE_CATALOGUE,
        ok=(302,),
    ),
    "assistance:item_new": Rule("get", url("assistance:item_new"), permission=Permission.MANAGE_CATALOGUE),
    # API
    "api:measure-item-list": Rule(
        "get", url("api:measure-item-list"), api=True, leak_probe=url("api:measure-item-list")
    ),
    "api:measure-item-detail": _pair("api:measure-item-detail", "pk", "item", api=True),
    "api:responsible-unit-list": Rule(
        "get",
        url("api:responsible-unit-list"),
        api=True,
        leak_probe=_area_probe("api:responsible-unit-list"),
    ),
    "api:responsible-unit-detail": _pair("api:responsible-unit-detail", "pk", "unit", api=True),
    "api:responsible-person-list": Rule(
        "get",
        url("api:responsible-person-list"),
        api=True,
        leak_probe=_area_probe("api:responsible-person-list"),
    ),
    "api:responsible-person-detail": _pair("api:responsible-person-detail", "pk", "person", api=True),
    "api:measure-list": Rule(
        "get", url("api:measure-list"), api=True, leak_probe=_area_probe("api:measure-list")
    ),
    "api:measure-detail": _pair("api:measure-detail", "pk", "measure", api=True),
    "api:measure-end": _pair(
        "api:measure-end",
        "pk",
        "measure",
        method="post",
        api=True,
        permission=Permission.EDIT,
        data=lambda c, w: {"end": date.today().isoformat(), "reason": "政策到期"},
    ),
    "api:plan-list": Rule("get", url("api:plan-list"), api=True, leak_probe=_area_probe("api:plan-list")),
    "api:plan-detail": Rule(
        "get",
        url("api:plan-detail", pk=lambda c: c.household_inside),
        url("api:plan-detail", pk=lambda c: c.household_outside),
        api=True,
    ),
    "api:visit-list": Rule("get", url("api:visit-list"), api=True, leak_probe=_area_probe("api:visit-list")),
    "api:visit-detail": _pair("api:visit-detail", "pk", "visit", api=True),
    "api:visit-coverage": Rule(
        "get", url("api:visit-coverage"), api=True, leak_probe=url("api:visit-coverage")
    ),
}

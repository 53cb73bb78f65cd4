"""Small worlds for the assistance tests, built through the registry and assistance services as a
village cadre and a county clerk would enter them."""

from __future__ import annotations

import itertools
from datetime import date

from fanpin.assistance.models import ResponsibleUnit
from fanpin.assistance.services.measures import measure_add
from fanpin.assistance.services.units import person_create, unit_create
from fanpin.registry import idnumber
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_create, member_add

QLZ = "140321201249"  # 平定县 岔口乡 秋林庄村
CHAKOU = "140321201204"  # 岔口村, same township
GUANSHAN = "140321100011"  # 冠山镇, same county, other township
YUXIAN = "140322100101"  # 盂县, another county
PINGDING = "140321"

_seq = itertools.count(1)


def household(
    *,
    village: str = QLZ,
    category: str = "脱贫不稳定户",
    risks: tuple[str, ...] = (),
    labour: tuple[str, ...] = ("普通劳动力",),
    **fields,
) -> Household:
    """A household with one member per entry of `labour` (its 劳动技能; "" = none recorded)."""
    n = next(_seq)
    h = household_create(
        actor="测试",
        code=f"{village}A{n:05d}",
        village_code=village,
        household_type="脱贫户",
        category=category,
        identified_month="202106" if category else "",
        risk_types="|".join(risks),
        **fields,
    )
    for i, skill in enumerate(labour):
        member_add(
            actor="测试",
            household=h,
            name=f"成员{n}-{i}",
            relation="户主" if i == 0 else "之子",
            id_number=idnumber.make("140321", date(1970 + i * 20, 3, 4), (n * 7 + i) % 1000),
            labour_skill=skill,
        )
    return Household.objects.get(pk=h.pk)


def unit(name: str = "平定县供水管理局", area: str = PINGDING):
    existing = ResponsibleUnit.objects.filter(area_code=area, name=name).first()
    if existing is not None:
        return existing
    return unit_create(actor="测试", name=name, area_code=area, kind="县直部门")


def person(u, name: str = "王建国", phone: str = "13812345678"):
    return person_create(actor="测试", unit=u, name=name, post="副局长", phone=phone)


def measure(
    h, category: str, item: str, *, start=date(2021, 7, 1), end=None, amount=None, persons=None, u=None
):
    if u is None:
        u = unit() if not persons else persons[0].unit
    if persons is None:
        persons = [person(u)]
    return measure_add(
        actor="测试",
        household=h,
        category=category,
        item=item,
        start=start,
        end=end,
        amount=amount,
        unit=u,
        persons=persons,
    )

"""Households and members in the registry for the ledger tests (through the registry's services)."""

from __future__ import annotations

from datetime import date
from itertools import count

from fanpin.registry import idnumber
from fanpin.registry.services.households import household_create, member_add

VILLAGE = "140321201249"  # 平定县岔口乡秋林庄村
_SEQ = count(100)


def person(
    *, born: date, household_type: str = "脱贫户", category: str = "", village: str = VILLAGE, name="张三"
):
    n = next(_SEQ)
    household = household_create(
        actor="测试",
        code=f"{village}T{n:05d}",
        village_code=village,
        household_type=household_type,
        category=category,
    )
    member = member_add(
        actor="测试",
        household=household,
        name=name,
        relation="户主",
        id_number=idnumber.make(village[:6], born, n % 1000),
    )
    return household, member

"""The Pingding household of domain §11 and small helpers, built through the services as people would."""

from __future__ import annotations

import itertools
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from fanpin.casework.choices import DocumentKind
from fanpin.casework.services.cases import case_document_add
from fanpin.monitoring.services.policy import policy_setting_create
from fanpin.registry import idnumber
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_create, member_add

QLZ = "140321201249"  # 平定县 岔口乡 秋林庄村
CHAKOU = "140321201204"  # 岔口村, same township
GUANSHAN = "140321100011"  # 冠山镇, other township of 平定县
YUXIAN = "140322100101"  # 盂县
HEAD = "郭存福"
ID_HEAD = idnumber.make("140321", date(1962, 3, 8), 11)
PHONE = "13903531234"
_seq = itertools.count(1)


def pingding_household(code: str = "1403212012490001", village: str = QLZ, **fields) -> Household:
    """脱贫户 of four: the couple (ill), a disabled son and a son who can work."""
    h = household_create(
        actor="测试",
        code=code,
        village_code=village,
        household_type="脱贫户",
        phone=PHONE,
        **fields,
    )
    n = next(_seq)
    member_add(
        actor="测试",
        household=h,
        name=HEAD,
        relation="户主",
        id_number=ID_HEAD if n == 1 else idnumber.make("140321", date(1962, 3, 8), 100 + n),
        health="长期慢性病",
        labour_skill="弱劳动力或半劳动力",
        phone=PHONE,
    )
    member_add(
        actor="测试",
        household=h,
        name=f"李秀梅{n}",
        relation="配偶",
        id_number=idnumber.make("140321", date(1964, 5, 2), 200 + n),
        health="患大病",
        labour_skill="丧失劳动力",
    )
    member_add(
        actor="测试",
        household=h,
        name=f"郭建军{n}",
        relation="之子",
        id_number=idnumber.make("140321", date(1988, 9, 9), 300 + n),
        health="残疾",
        disability_grade="三级",
        labour_skill="弱劳动力或半劳动力",
    )
    member_add(
        actor="测试",
        household=h,
        name=f"郭建国{n}",
        relation="之子",
        id_number=idnumber.make("140321", date(1991, 1, 20), 400 + n),
        labour_skill="普通劳动力",
    )
    return Household.objects.get(pk=h.pk)


def document(actor, case, kind=DocumentKind.AUTHORISATION, name="授权承诺书.pdf"):
    return case_document_add(
        actor=actor,
        case=case,
        kind=kind,
        file=SimpleUploadedFile(name, b"%PDF-1.4 signed scan", "application/pdf"),
    )


def give_measure(
    h: Household,
    category: str = "100A42",
    item: str = "公益性岗位",
    start=date(2021, 7, 1),
    amount=None,
    member=None,
):
    """A plan measure (一户一策) with the helper unit 平定县供水管理局 and its one responsible person."""
    from fanpin.assistance.models import ResponsiblePerson, ResponsibleUnit
    from fanpin.assistance.services.measures import measure_add
    from fanpin.assistance.services.units import person_create, unit_create

    unit = ResponsibleUnit.objects.filter(area_code="140321", name="平定县供水管理局").first()
    if unit is None:
        unit = unit_create(actor="测试", name="平定县供水管理局", area_code="140321", kind="县直部门")
    person = ResponsiblePerson.objects.filter(unit=unit).first() or person_create(
        actor="测试", unit=unit, name="王建国", post="副局长", phone="13812345678"
    )
    measure_add(
        actor="测试",
        household=h,
        category=category,
        item=item,
        start=start,
        amount=amount,
        unit=unit,
        persons=[person],
        member=member,
    )
    return Household.objects.get(pk=h.pk)


def threshold_2021(value: str):
    """A corrected 2021 range (a new version of the 2021 setting, effective from 1 January)."""
    return policy_setting_create(
        actor="测试", province_code="14", year=2021, threshold=value, effective_from=date(2021, 1, 1)
    )

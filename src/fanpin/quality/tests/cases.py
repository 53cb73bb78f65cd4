"""A clean monitored household that trips no rule, and for every rule a change that makes it fire.
Used by the engine tests (every rule fires on its case, none on the clean household)."""

from __future__ import annotations

import itertools
from datetime import date

from fanpin.registry import idnumber

AS_OF = date(2025, 6, 30)
THRESHOLD = 710_000  # 7,100 yuan in cents
_COUNTER = itertools.count(100)


def person(relation: str, birth: date, sex: str, **kw) -> dict:
    n = next(_COUNTER)
    region = (
        f"1403{21 + (n // 500) % 60:02d}"  # a fresh region code every 500 people: never the same ID twice
    )
    seq = (n % 500) * 2 + (1 if sex == "男" else 0)  # odd = male
    row = {
        "name": f"成员{n}",
        "id_type": "居民身份证",
        "id_number": idnumber.make(region, birth, seq),
        "sex": sex,
        "birth_date": birth,
        "birth_invalid": False,
        "relation": relation,
        "ethnicity": "汉族",
        "education": "初中",
        "school_status": "",
        "not_in_school_reason": "",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "work_place": "",
        "welfare_job": "",
        "dibao": "",
        "tekun": "",
        "resident_medical": True,
        "employee_medical": False,
        "critical_illness": True,
        "phone": "",
    }
    row.update(kw)
    return row


def clean() -> tuple[dict, list[dict], list[str]]:
    household = {
        "household_type": "脱贫户",
        "size": 3,
        "declared_size": 3,
        "whole_no_labour": False,
        "category": "脱贫不稳定户",
        "identified_month": "202301",
        "risk_types": "因病",
        "risk_eliminated": False,
        "elimination_method": "",
        "eliminated_month": "",
        "house_grade": "A",
        "house_dangerous": False,
        "water_secured": True,
        "dropout": False,
        "member_uninsured": False,
        "house_damaged_after": False,
        "water_damaged_after": False,
        "phone": "13800138000",
        "collector": "王干部",
        "collector_phone": "13900139000",
        "income_months": 12,
        "wage": 1_000_000,
        "business": 0,
        "property_income": 0,
        "transfer": 200_000,
        "business_cost": 0,
        "claims": 0,
        "out_of_pocket": 500_000,
        "stated_net": 1_200_000,
        "stated_per_capita": 400_000,
    }
    members = [
        person("户主", date(1970, 1, 1), "男", health="患大病", phone="13800138000"),
        person("配偶", date(1972, 3, 4), "女", labour_skill="弱劳动力或半劳动力", education="小学"),
        person("之女", date(2015, 9, 1), "女", labour_skill="", education="小学", school_status="四年级"),
    ]
    return household, members, ["健康帮扶", "产业帮扶"]


ELIMINATED = {"risk_eliminated": True, "elimination_method": "自然消除", "eliminated_month": "202401"}
NOT_MONITORED = {"category": "", "identified_month": ""}


def _m(i, **kw):
    return ("member", i, kw)


def _add(row):
    return ("add", row)


def _measures(*names):
    return ("measures", list(names))


# code → household changes and member edits: ("member", index, changes) | ("add", person) | ("measures", [...])
CASES: dict[str, tuple[dict, list]] = {
    "ID01": ({}, [_m(0, id_number="")]),
    "ID02": ({}, [_m(1, id_number="X")]),  # replaced below with a bad check character
    "ID03": ({}, [_m(0, birth_date=date(1970, 1, 2))]),
    "ID04": ({}, [_m(0, sex="女")]),
    "ID05": ({}, [_m(1, birth_date=None)]),
    "ID06": ({}, [_m(1, birth_date=None, birth_invalid=True)]),
    "ID07": ({}, [_m(1, name="")]),
    "ID08": ({}, [_m(2, id_number="SAME-AS-1")]),
    "ID09": ({}, [_m(1, sex="")]),
    "ID10": ({}, [_m(1, ethnicity="")]),
    "ID11": ({}, [_m(1, id_type="残疾人证", id_number="1234567890")]),
    "HH01": ({}, [_m(0, relation="其他")]),
    "HH02": ({}, [_m(1, relation="户主")]),
    "HH03": ({}, [_m(2, relation="配偶")]),
    "HH04": ({}, [_m(0, birth_date=date(2012, 1, 1))]),
    "HH05": ({"size": 4, "declared_size": 4}, [_add(person("之子", date(1962, 5, 5), "男"))]),
    "HH06": ({"size": 4, "declared_size": 4}, [_add(person("之父", date(1960, 5, 5), "男"))]),
    "HH07": ({}, [_m(2, relation="")]),
    "HH08": ({}, [_m(2, relation="干女儿")]),
    "HH09": ({"declared_size": 4}, []),
    "HH10": ({}, [("replace", 1, person("配偶", date(1972, 3, 4), "男", labour_skill="弱劳动力或半劳动力"))]),
    "HH11": ({"household_type": ""}, []),
    "HH12": ({"size": 4, "declared_size": 4}, [_add(person("之孙子", date(1995, 5, 5), "男"))]),
    "ED01": ({}, [_m(2, school_status="")]),
    "ED02": ({"dropout": True}, []),
    "ED03": ({}, [_m(2, school_status="九年级")]),
    "ED04": ({}, [_m(2, education="大专")]),
    "ED05": ({}, [_m(2, not_in_school_reason="身体原因")]),
    "ED06": ({"risk_types": "因病|因学"}, [_m(2, school_status="", not_in_school_reason="残疾")]),
    "ED07": ({}, [_m(0, not_in_school_reason="其他")]),
    "ED08": ({}, [_m(2, school_status="")]),
    "LB01": ({"risk_types": "因病|缺劳动力"}, []),
    "LB02": (
        {"size": 4, "declared_size": 4},
        [
            _add(
                person(
                    "之父", date(1950, 1, 1), "男", welfare_job="护林员", labour_skill="弱劳动力或半劳动力"
                )
            )
        ],
    ),
    "LB03": (
        {"size": 4, "declared_size": 4},
        [
            _add(
                person(
                    "之母", date(1962, 1, 1), "女", welfare_job="保洁员", labour_skill="弱劳动力或半劳动力"
                )
            )
        ],
    ),
    "LB04": ({}, [_m(0, welfare_job="保洁员")]),
    "LB05": ({}, [_m(1, labour_skill="")]),
    "LB06": ({}, [_m(2, labour_skill="普通劳动力")]),
    "LB07": ({}, [_m(2, labour_skill="无劳动力", work_place="太原市")]),
    "LB08": ({"whole_no_labour": True}, []),
    "LB09": ({}, [_m(0, labour_skill="丧失劳动力"), _m(1, labour_skill="无劳动力")]),
    "LB10": ({"size": 4, "declared_size": 4}, [_add(person("之父", date(1945, 1, 1), "男"))]),
    "LB11": (
        {"wage": 0, "stated_net": 200_000, "stated_per_capita": 66_667},
        [_m(0, labour_skill="丧失劳动力"), _m(1, labour_skill="无劳动力")],
    ),
    "HL01": ({"risk_types": "因病|因残"}, []),
    "HL02": ({"out_of_pocket": 0}, []),
    "HL03": ({}, [_m(0, health="健康")]),
    "HL04": ({}, [_m(1, resident_medical=False)]),
    "HL05": ({"member_uninsured": True}, []),
    "HL06": ({"risk_types": "因意外事故"}, []),
    "HL07": ({"member_uninsured": True}, [_m(1, resident_medical=False)]),
    "HL08": ({"member_uninsured": True}, [_m(1, resident_medical=False, critical_illness=True)]),
    "IN01": ({"stated_net": 1_300_000}, []),
    "IN02": ({"stated_per_capita": 500_000}, []),
    "IN03": ({"wage": 10_000_000, "stated_net": None, "stated_per_capita": None}, []),
    "IN04": ({"wage": 0, "transfer": 0, "stated_net": None, "stated_per_capita": None}, []),
    "IN05": ({"wage": 100_000_000, "stated_net": None, "stated_per_capita": None}, []),
    "IN06": ({"wage": 100_000, "stated_net": None, "stated_per_capita": None}, []),
    "IN07": ({**ELIMINATED, "elimination_method": "帮扶消除"}, []),
    "IN08": ({"income_months": 0}, []),
    "IN09": ({"business_cost": 50_000, "stated_net": None}, []),
    "IN10": ({"transfer": 0, "stated_net": None, "stated_per_capita": None}, [_m(0, dibao="享受")]),
    "IN11": ({"wage": 0, "stated_net": None, "stated_per_capita": None}, [_m(0, work_place="太原市")]),
    "MO01": ({"household_type": "一般农户"}, []),
    "MO02": ({"category": "边缘易致贫户"}, []),
    "MO03": ({"identified_month": ""}, []),
    "MO04": ({"category": ""}, []),
    "MO05": ({**ELIMINATED, "eliminated_month": ""}, []),
    "MO06": ({**ELIMINATED, "elimination_method": ""}, []),
    "MO07": ({**ELIMINATED, "eliminated_month": "202303"}, []),
    "MO08": ({**ELIMINATED, "whole_no_labour": True}, []),
    "MO09": ({**ELIMINATED, "eliminated_month": "202212"}, []),
    "MO10": ({"risk_types": ""}, []),
    "MO11": ({"elimination_method": "自然消除"}, []),
    "MO12": ({"category": "突发严重困难户", "risk_types": "住房出现安全问题"}, []),
    "MO13": ({"wage": 30_000_000, "stated_net": None, "stated_per_capita": None}, []),
    "MO14": (NOT_MONITORED, []),
    "MO15": ({**NOT_MONITORED, **ELIMINATED}, []),
    "MS01": ({}, [_measures("产业帮扶")]),
    "MS02": ({"risk_types": "因病|因学"}, []),
    "MS03": ({"dropout": True}, []),
    "MS04": ({"risk_types": "因病|因残"}, []),
    "MS05": ({"risk_types": "因病|住房出现安全问题"}, []),
    "MS06": ({"risk_types": "因病|饮水出现安全问题"}, []),
    "MS07": ({}, [_measures("综合保障")]),
    "MS08": ({}, [_measures()]),
    "MS09": (ELIMINATED, [_measures()]),
    "MS10": ({"whole_no_labour": True}, []),
    "MS11": ({}, [_measures("健康帮扶", "产业帮扶", "公益岗位帮扶")]),
    "MS12": ({}, [_m(1, welfare_job="保洁员")]),
    "SF01": ({"house_dangerous": True}, []),
    "SF02": ({"water_secured": False}, []),
    "SF03": ({"risk_types": "因病|住房出现安全问题"}, [_measures("健康帮扶", "产业帮扶", "住房安全保障")]),
    "SF04": ({"risk_types": "因病|饮水出现安全问题"}, [_measures("健康帮扶", "产业帮扶", "饮水安全保障")]),
    "SF05": ({**ELIMINATED, "house_dangerous": True}, []),
    "SF06": ({**ELIMINATED, "water_secured": False}, []),
    "SF07": ({**ELIMINATED, "dropout": True}, []),
    "SF08": ({**ELIMINATED, "house_damaged_after": True}, []),
    "SF09": ({**ELIMINATED, "water_damaged_after": True}, []),
    "CT01": ({"phone": ""}, []),
    "CT02": ({**ELIMINATED, "phone": ""}, []),
    "CT03": ({"phone": "12345"}, []),
    "CT04": ({}, [_m(0, phone="555")]),
    "CT05": ({"collector": ""}, []),
    "CT06": ({"collector_phone": ""}, []),
    "CT07": ({"phone": "13900139000"}, []),
}


def build(code: str | None, household_id: int, first_member_id: int) -> tuple[dict, list[dict], list[dict]]:
    """The clean household, changed as CASES[code] says (unchanged for None); ids assigned."""
    household, members, measures = clean()
    for i, m in enumerate(members):  # the same ID numbers from run to run, distinct across households
        seq = household_id * 8 + i * 2 + (1 if m["sex"] == "男" else 0)
        m["id_number"] = idnumber.make("140321", m["birth_date"], seq % 1000)
    if code is not None:
        changes, edits = CASES[code]
        household.update(changes)
        for edit in edits:
            if edit[0] == "member":
                members[edit[1]].update(edit[2])
            elif edit[0] == "add":
                members.append(dict(edit[1]))
            elif edit[0] == "replace":
                members[edit[1]] = dict(edit[2])
            elif edit[0] == "measures":
                measures = edit[1]
        if code == "ID02":
            good = clean_id(members[1])
            members[1]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
        if code == "ID08":
            members[2]["id_number"] = members[1]["id_number"]
    household["household_id"] = household_id
    household["row"] = None
    for i, m in enumerate(members):
        m["member_id"] = first_member_id + i
        m["household_id"] = household_id
        m["row"] = None
    return household, members, [{"household_id": household_id, "category": c} for c in measures]


def clean_id(member: dict) -> str:
    return idnumber.make("140321", member["birth_date"], 201 if member["sex"] == "男" else 202)

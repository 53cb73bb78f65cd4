"""Demo data of assistance in 平定县: responsible units and persons, household plans for the county's
monitored households, and this month's visits for most of them.

Deterministic (households in code order): every 12th monitored household has no measure yet, every 12th
(offset 5) is deliberately inconsistent (a household with labour on 低保 alone, or one without labour
and no social protection), the rest follow the §5 rules; 7 in 10 are visited this month. Runs once: a
marker audit event records that it ran. Rows are written in bulk (one audit event per measure and visit,
through AuditBuffer), so the step takes well under a second."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction

from fanpin.assistance.choices import MeasureCategory as C
from fanpin.assistance.models import Measure, ResponsiblePerson, ResponsibleUnit, Visit
from fanpin.assistance.selectors import MONITORED, households_facts
from fanpin.core.models import AuditEvent
from fanpin.core.services.audit import AuditBuffer, audit_record
from fanpin.registry.models import Household

COUNTY = "140321"
DEMO_VILLAGE = "140321201249"  # 岔口乡秋林庄村, the demo village cadre's village
ACTOR = "演示数据"
MARKER = "assistance.demo_seed"

UNITS = [
    # (name, area, kind, persons: (name, post))
    ("平定县供水管理局", COUNTY, "县直部门", [("王建国", "副局长"), ("李晓燕", "科员")]),
    ("平定县人力资源和社会保障局", COUNTY, "县直部门", [("赵志刚", "就业股股长"), ("孙丽", "科员")]),
    ("平定县民政局", COUNTY, "县直部门", [("周文斌", "社会救助股股长"), ("吴敏", "科员")]),
    ("平定县医疗保障局", COUNTY, "县直部门", [("郑海涛", "待遇保障股股长")]),
    ("平定县教育局", COUNTY, "县直部门", [("冯雪梅", "学生资助中心主任")]),
    ("平定县住房和城乡建设局", COUNTY, "县直部门", [("陈永强", "村镇建设股股长")]),
    ("平定县农业农村局", COUNTY, "县直部门", [("褚红霞", "产业发展股股长"), ("卫国平", "农技员")]),
    ("岔口乡人民政府", "140321201", "乡镇", [("蒋立新", "副乡长"), ("沈玉兰", "乡村振兴专干")]),
]
UNIT_FOR = {
    C.INDUSTRY: "平定县农业农村局",
    C.EMPLOYMENT: "平定县人力资源和社会保障局",
    C.WELFARE_JOB: "平定县人力资源和社会保障局",
    C.HEALTH: "平定县医疗保障局",
    C.COMPULSORY_EDUCATION: "平定县教育局",
    C.OTHER_EDUCATION: "平定县教育局",
    C.PROTECTION: "平定县民政局",
    C.HOUSING: "平定县住房和城乡建设局",
    C.WATER: "平定县供水管理局",
    C.SOCIAL: "平定县供水管理局",
}
FINDINGS = [
    "家中生活正常，收入来源稳定，帮扶措施已落实。",
    "户主慢性病按时服药，已签约家庭医生；提醒办理门诊慢特病。",
    "儿子在县城务工，月收入约 2000 元；了解了务工稳定情况。",
    "住房安全，饮水正常；宣传了防返贫政策和 12317 热线。",
    "低保金按月到账；家中老人身体状况一般，需继续关注。",
]
FOLLOW_UP = ["", "下月核实务工收入。", "协调医保局办理慢特病认定。", ""]


def _plan(facts, mode: str) -> list[tuple[str, str, Decimal | None]]:
    """(category, item, amount) of a household's measures: consistent, or deliberately not."""
    if mode == "inconsistent":
        if facts.has_labour:
            return [(C.PROTECTION, "低保", Decimal("5658"))]
        return [(C.SOCIAL, "结对帮扶", None)]
    out: list[tuple[str, str, Decimal | None]] = []
    if facts.has_labour is not False:
        if facts.labour_members > 1:
            out.append((C.EMPLOYMENT, "外出务工", Decimal("24000")))
        else:
            out.append((C.INDUSTRY, "种植业", Decimal("3000")))
    else:
        out.append((C.PROTECTION, "低保", Decimal("5658")))
    if "因病" in facts.risks or facts.uninsured:
        out.append((C.HEALTH, "慢性病签约服务", None))
    if "因学" in facts.risks:
        out.append((C.OTHER_EDUCATION, "雨露计划", Decimal("3000")))
    if "义务教育阶段适龄儿童少年失学辍学" in facts.risks or facts.dropout:
        out.append((C.COMPULSORY_EDUCATION, "控辍保学", None))
    if "因残" in facts.risks:
        out.append((C.PROTECTION, "残疾人补贴", Decimal("1068")))
    if "住房出现安全问题" in facts.risks or facts.house_unsafe:
        out.append((C.HOUSING, "危房改造", Decimal("35000")))
    if "饮水出现安全问题" in facts.risks or facts.water_unsafe:
        out.append((C.WATER, "饮水工程", None))
    if facts.category == "突发严重困难户":
        out.append((C.PROTECTION, "临时救助", Decimal("3000")))
    return out


def _start(household: Household, today: date) -> date:
    month = household.identified_month
    if len(month) == 6 and month.isdigit():
        y, m = int(month[:4]), int(month[4:])
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        start = date(y, m, 1)
        return min(start, today)
    return date(today.year, 1, 1)


def demo_assistance(on_progress: Callable[[int, int], None] | None = None) -> str:
    if AuditEvent.objects.filter(action=MARKER, area_code=COUNTY).exists():
        return "平定县帮扶演示数据已存在，未新增"
    with transaction.atomic():
        return _seed(date.today())


def _seed(today: date) -> str:
    units: dict[str, ResponsibleUnit] = {}
    persons: dict[str, list[ResponsiblePerson]] = {}
    for n, (name, area, kind, people) in enumerate(UNITS):
        unit, _ = ResponsibleUnit.objects.get_or_create(area_code=area, name=name, defaults={"kind": kind})
        units[name] = unit
        existing = list(unit.persons.all())
        if not existing:
            existing = ResponsiblePerson.objects.bulk_create(
                [
                    ResponsiblePerson(unit=unit, name=p, post=post, phone=f"139035{n:02d}{k:03d}")
                    for k, (p, post) in enumerate(people, start=1)
                ]
            )
        persons[name] = existing
    township = units["岔口乡人民政府"]

    households = list(Household.objects.filter(MONITORED, county_code=COUNTY).order_by("code"))
    facts = households_facts(households, today)
    audit = AuditBuffer(ACTOR)
    measures: list[Measure] = []
    measure_persons: list[list[ResponsiblePerson]] = []
    visits: list[Visit] = []
    visit_persons: list[list[ResponsiblePerson]] = []
    demo_village_seen = False
    counts = {"none": 0, "inconsistent": 0, "measures": 0, "visits": 0}
    for i, h in enumerate(households):
        mode = "none" if i % 12 == 0 else "inconsistent" if i % 12 == 5 else "consistent"
        if mode != "consistent":
            counts[mode] += 1
        own_township = h.village_id.startswith("140321201")
        for category, item, amount in [] if mode == "none" else _plan(facts[h.pk], mode):
            unit = units[UNIT_FOR[category]]
            people = persons[unit.name][:1]
            if own_township:
                people = people + persons[township.name][:1]
            measures.append(
                Measure(
                    household=h,
                    category=category,
                    item=item,
                    amount=None if amount is None else amount.quantize(Decimal("0.01")),
                    start=_start(h, today),
                    unit=unit,
                )
            )
            measure_persons.append(people)
        # 7 in 10 are visited; the first monitored household of the demo village is left unvisited
        # so that its cadre has someone to visit.
        first_in_demo_village = h.village_id == DEMO_VILLAGE and not demo_village_seen
        demo_village_seen = demo_village_seen or h.village_id == DEMO_VILLAGE
        if i % 10 < 7 and not first_in_demo_village:
            on_plan = persons[UNIT_FOR[C.PROTECTION if facts[h.pk].has_labour is False else C.EMPLOYMENT]][:1]
            visits.append(
                Visit(
                    household=h,
                    visited_on=date(today.year, today.month, 1 + i % today.day),
                    visitors="、".join(["驻村工作队"] + [p.name for p in on_plan]),
                    findings=FINDINGS[i % len(FINDINGS)],
                    follow_up=FOLLOW_UP[i % len(FOLLOW_UP)],
                )
            )
            visit_persons.append(on_plan)
    Measure.objects.bulk_create(measures)
    Visit.objects.bulk_create(visits)
    Measure.persons.through.objects.bulk_create(
        [
            Measure.persons.through(measure_id=m.pk, responsibleperson_id=p.pk)
            for m, people in zip(measures, measure_persons, strict=True)
            for p in people
        ]
    )
    Visit.persons.through.objects.bulk_create(
        [
            Visit.persons.through(visit_id=v.pk, responsibleperson_id=p.pk)
            for v, people in zip(visits, visit_persons, strict=True)
            for p in people
        ]
    )
    codes = {h.pk: h.code for h in households}
    for m, people in zip(measures, measure_persons, strict=True):
        audit.add(
            action="assistance.measure_add",
            object_type="assistance.measure",
            object_id=str(m.pk),
            object_repr=str(m),
            subject=codes[m.household_id],
            area_code=m.household.village_id,
            after={
                "category": m.category,
                "item": m.item,
                "amount": None if m.amount is None else str(m.amount),
                "start": m.start.isoformat(),
                "unit": m.unit.name,
                "persons": [p.name for p in people],
            },
        )
    for v in visits:
        audit.add(
            action="assistance.visit_record",
            object_type="assistance.visit",
            object_id=str(v.pk),
            object_repr=str(v),
            subject=codes[v.household_id],
            area_code=v.household.village_id,
            after={"visited_on": v.visited_on.isoformat(), "visitors": v.visitors},
        )
    audit.flush()
    counts["measures"], counts["visits"] = len(measures), len(visits)
    audit_record(actor=ACTOR, action=MARKER, area_code=COUNTY, after=counts, note="帮扶演示数据")
    return (
        f"帮扶单位 {len(units)} 个，监测户 {len(households)} 户：措施 {counts['measures']} 项"
        f"（无措施 {counts['none']} 户、故意不一致 {counts['inconsistent']} 户），"
        f"本月走访 {counts['visits']} 户"
    )

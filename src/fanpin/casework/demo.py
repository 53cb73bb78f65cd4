"""Demo cases in 平定县: a handful of identification and elimination cases at different steps, some
overdue, one by the green channel. Created once (skipped when 平定县 already has cases)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from fanpin.casework import flows
from fanpin.casework.choices import DocumentKind
from fanpin.casework.measures import household_measures
from fanpin.casework.models import Case
from fanpin.casework.services.cases import case_act, case_document_add, case_open, case_open_green
from fanpin.registry.models import Household

COUNTY = "140321"
QLZ = "140321201249"  # 岔口乡秋林庄村 (demo_village)
ACTOR = "演示数据"


def _pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=f"<html><body style=\"font-family: 'Noto Sans CJK SC'\"><h1>{title}</h1><p>（演示材料）</p></body></html>"
    ).write_pdf()


def _doc(case, kind: str, name: str, pdf: bytes):
    f = ContentFile(pdf, name=name)
    return case_document_add(actor=ACTOR, case=case, kind=kind, file=f)


def _free(n: int, exclude: set[int], **where) -> list[Household]:
    qs = (
        Household.objects.filter(category="", **where)
        .exclude(head_name="")
        .exclude(pk__in=exclude)
        .order_by("code")
    )
    return list(qs[:n])


PINGDING_CODE = "140321201249911001"  # the household of domain §11, entered for the walk-through


def _unit_and_person():
    from fanpin.assistance.models import ResponsiblePerson, ResponsibleUnit
    from fanpin.assistance.services.units import person_create, unit_create

    unit = ResponsibleUnit.objects.filter(area_code=COUNTY, name="平定县供水管理局").first()
    if unit is None:
        unit = unit_create(actor=ACTOR, name="平定县供水管理局", area_code=COUNTY, kind="县直部门")
    person = ResponsiblePerson.objects.filter(unit=unit).first() or person_create(
        actor=ACTOR, unit=unit, name="王建国", post="副局长", phone="13803530001"
    )
    return unit, person


def demo_pingding_household() -> Household | None:
    """The Pingding household of domain §11 (a 脱贫户 of four: the couple ill, a disabled son, a son who
    works away), not yet monitored, with its assistance plan from July 2021 (公益性岗位 and 残疾人补贴 for
    the disabled son, 外出务工 for the other son) so that the identification (June 2021) and the
    elimination (February 2022) can be walked through on the pages."""
    from datetime import date

    from fanpin.assistance.services.measures import measure_add
    from fanpin.registry import idnumber
    from fanpin.registry.services.households import household_create, member_add

    if Household.objects.filter(code=PINGDING_CODE).exists():
        return None
    h = household_create(
        actor=ACTOR,
        code=PINGDING_CODE,
        village_code=QLZ,
        household_type="脱贫户",
        address="平定县岔口乡秋林庄村",
        phone="13903530001",
    )
    people = [
        ("郭存福", "户主", date(1962, 3, 8), "长期慢性病", "弱劳动力或半劳动力", ""),
        ("李秀梅", "配偶", date(1964, 5, 2), "患大病", "丧失劳动力", ""),
        ("郭建军", "之子", date(1988, 9, 9), "残疾", "弱劳动力或半劳动力", "三级"),
        ("郭建国", "之子", date(1991, 1, 20), "健康", "普通劳动力", ""),
    ]
    members = {}
    for i, (name, relation, birth, health, skill, grade) in enumerate(people):
        members[name] = member_add(
            actor=ACTOR,
            household=h,
            name=name,
            relation=relation,
            health=health,
            labour_skill=skill,
            disability_grade=grade,
            id_number=idnumber.make("140321", birth, 901 + i),
        )
    unit, person = _unit_and_person()
    for category, item, amount, member in (
        ("100A42", "公益性岗位", "10800", "郭建军"),
        ("100A48", "残疾人补贴", "1068", "郭建军"),
        ("100A40", "外出务工", "24000", "郭建国"),
    ):
        measure_add(
            actor=ACTOR,
            household=h,
            category=category,
            item=item,
            amount=amount,
            start=date(2021, 7, 1),
            unit=unit,
            persons=[person],
            member=members[member],
        )
    return Household.objects.get(pk=h.pk)


@transaction.atomic
def demo_cases(on_progress: Callable[[int, int], None] | None = None) -> str:
    pingding = demo_pingding_household()
    if Case.objects.filter(household__county_code=COUNTY).exists():
        return f"平定县已有业务 {Case.objects.filter(household__county_code=COUNTY).count()} 件，未新增"
    today = timezone.localdate()
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    auth, meeting = _pdf("授权承诺书"), _pdf("民主评议会议记录")
    used: set[int] = set()
    picks = _free(4, used, village_id=QLZ)
    used.update(h.pk for h in picks)
    others = [h for h in _free(40, used, township_code=QLZ[:9]) if h.village_id != QLZ][:3]
    used.update(h.pk for h in others)
    if len(picks) < 4 or len(others) < 3:
        return "平定县可用农户不足，未创建演示业务"
    made = []

    def walk(case, upto: str, start: int):
        """Run `case` through the procedure up to (not including) step `upto`, one day a step."""
        order = ["verify", "appraise", "close_notice", "review", "approve"]
        d = start
        for name in order:
            if name == upto:
                break
            if name == "verify":
                _doc(case, DocumentKind.AUTHORISATION, "授权承诺书.pdf", auth)
            if name == "appraise":
                _doc(case, DocumentKind.MEETING_RECORD, "民主评议会议记录.pdf", meeting)
            d = d - (6 if name == "close_notice" else 1)
            case = case_act(actor=ACTOR, case=case, action=name, on=day(d), reason="演示：按程序办理")
        return case

    # 1. a clue still waiting for home verification, 20 days on: overdue at the village
    made.append(
        case_open(
            actor=ACTOR,
            household=picks[0],
            kind="identification",
            channel="application",
            on=day(20),
            summary="农户书面申请：户主突发脑梗住院，自付医疗费较多",
            category="边缘易致贫户",
            risk_types=["因病"],
        )
    )
    # 2. in public notice
    c = case_open(
        actor=ACTOR,
        household=picks[1],
        kind="identification",
        channel="cadre",
        on=day(4),
        summary="干部排查：务工中断，家庭收入骤减",
        category="边缘易致贫户",
        risk_types=["因务工就业不稳"],
    )
    made.append(walk(c, "close_notice", 4))
    # 3. waiting for the township's review (another village of 岔口乡)
    c = case_open(
        actor=ACTOR,
        household=others[0],
        kind="identification",
        channel="cadre",
        on=day(12),
        summary="干部排查：房屋鉴定为 C 级危房",
        category="边缘易致贫户",
        risk_types=["住房出现安全问题"],
    )
    made.append(walk(c, "review", 12))
    # 4. waiting for the county's approval, past the 15-day limit
    c = case_open(
        actor=ACTOR,
        household=others[1],
        kind="identification",
        channel="cadre",
        on=day(25),
        summary="干部排查：子女上大学学费负担重",
        category="脱贫不稳定户",
        risk_types=["因学"],
    )
    made.append(walk(c, "approve", 25))
    # 5. green channel: a house fire, monitored at once, paperwork to follow
    made.append(
        case_open_green(
            actor=ACTOR,
            household=picks[2],
            on=day(3),
            category="突发严重困难户",
            risk_types=["因意外事故"],
            summary="房屋失火，生活用品全部烧毁，需应急救助",
        )
    )
    # 6. approved 40 days ago and still without a measure (on the overdue list)
    c = case_open(
        actor=ACTOR,
        household=picks[3],
        kind="identification",
        channel="cadre",
        on=day(52),
        summary="干部排查：家中两人患慢性病",
        category="边缘易致贫户",
        risk_types=["因病"],
    )
    made.append(walk(c, "", 52))
    # 7. rejected after verification
    c = case_open(
        actor=ACTOR,
        household=others[2],
        kind="identification",
        channel="application",
        on=day(30),
        summary="农户申请：收入下降",
        category="边缘易致贫户",
        risk_types=["其他"],
    )
    made.append(
        case_act(
            actor=ACTOR,
            case=c,
            action="reject",
            on=day(28),
            reason="入户核实：家庭有稳定工资收入，人均纯收入高于监测范围",
        )
    )
    # 8. an elimination at the township's review: a monitored household with a measure, identified long ago
    note = ""
    for h in (
        Household.objects.filter(county_code=COUNTY, risk_eliminated=False, whole_no_labour=False)
        .exclude(category="")
        .exclude(identified_month="")
        .filter(identified_month__lte=f"{today.year - 1}{today.month:02d}")
        .order_by("code")[:200]
    ):
        if household_measures(household=h, on=today):
            c = case_open(
                actor=ACTOR, household=h, kind="elimination", on=day(9), elimination_method="自然消除"
            )
            made.append(walk(c, "review", 9))
            break
    else:
        # no monitored household has a plan yet: give one its first measure (the assistance service)
        from fanpin.assistance.services.measures import measure_add

        h = (
            Household.objects.filter(county_code=COUNTY, risk_eliminated=False, whole_no_labour=False)
            .exclude(category="")
            .filter(identified_month__gt="", identified_month__lte=f"{today.year - 1}{today.month:02d}")
            .order_by("code")[:50]
        )
        h = next((x for x in h if not flows.whole_household_without_labour(x)), None)
        if h is not None:
            unit, person = _unit_and_person()
            measure_add(
                actor=ACTOR,
                household=h,
                category="100A40",
                item="外出务工",
                amount="18000",
                start=today - timedelta(days=150),
                unit=unit,
                persons=[person],
            )
            c = case_open(
                actor=ACTOR, household=h, kind="elimination", on=day(9), elimination_method="自然消除"
            )
            made.append(walk(c, "review", 9))
        else:
            note = "（没有可作风险消除演示的监测户）"
    if pingding is not None:
        note += f"；§11 示例户 {pingding.head_name}（{pingding.code}）待登记识别线索"
    return f"平定县识别与消除业务 {len(made)} 件{note}"

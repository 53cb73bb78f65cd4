"""Demo data: a little of every ledger and one campaign in 平定县 (140321), once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

DEMO_COUNTY = "140321"
DEMO_VILLAGE = "140321201249"  # 岔口乡秋林庄村
DEMO_TOWNSHIP = "140321201"
CAMPAIGN_NAME = "平定县巩固衔接百日攻坚"
ACTOR = "演示数据"


def _members(*, min_age: int, max_age: int, n: int, skip: int = 0):
    from fanpin.registry.models import Member

    today = date.today()
    born_after = today.replace(year=today.year - max_age)
    born_before = today.replace(year=today.year - min_age)
    qs = (
        Member.objects.filter(
            household__county_code=DEMO_COUNTY,
            household__household_type="脱贫户",
            birth_date__gt=born_after,
            birth_date__lt=born_before,
        )
        .select_related("household")
        .order_by("id")
    )
    return list(qs[skip : skip + n])


def demo_ledgers(on_progress: Callable[[int, int], None] | None = None) -> str:
    from fanpin.ledgers.campaigns.services import campaign_create, campaign_target_add
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.services import ledger_entry_create, ledger_entry_transition
    from fanpin.ledgers.models import Campaign

    if Campaign.objects.filter(name=CAMPAIGN_NAME, area_id=DEMO_COUNTY).exists():
        return "平定县台账和攻坚行动已存在，未新增"
    today = date.today()
    month_end = today.replace(day=1) - timedelta(days=1)  # last complete month
    start = month_end - timedelta(days=99)
    made = 0

    def add(slug: str, **values):
        nonlocal made
        made += 1
        return ledger_entry_create(actor=ACTOR, ledger=get_ledger(slug), values=values)

    townships = ["140321100", "140321101", "140321102", DEMO_TOWNSHIP]
    for i, text in enumerate(
        [
            "监测对象帮扶措施与风险类型不匹配",
            "脱贫户收入信息采集不完整",
            "饮水安全问题未按期解决",
            "公益性岗位人员超龄未说明",
            "小额信贷逾期未及时跟进",
            "驻村工作队员在岗天数不足",
        ]
    ):
        done = i != 5
        add(
            "rectification",
            area=townships[i % len(townships)],
            problem=text,
            source=["自查排查", "督查巡查", "国家考核评估"][i % 3],
            found_on=start + timedelta(days=3 * i),
            owner="平定县乡村振兴局",
            deadline=start + timedelta(days=60),
            status="已整改" if done else "整改中",
            rectified_on=start + timedelta(days=3 * i + 20) if done else "",
        )
    workers = _members(min_age=20, max_age=55, n=10)
    places = ["县内", "省内县外", "省外"]
    for i, m in enumerate(workers):
        add(
            "employment",
            member=m.id_number,
            year=month_end.year,
            month=month_end.month,
            place=places[i % 3],
            location=["平定县工业园区", "太原市", "北京市"][i % 3],
            start_on=month_end.replace(day=1) - timedelta(days=200),
            monthly_wage=Decimal(2600 + 300 * i),
            channel=["就近就业", "有组织劳务输出", "自主外出"][i % 3],
            p2p_transport=i % 3 == 2,
        )
    last = month_end.replace(year=month_end.year - 1, day=1)
    for place, n in (("县内", 3), ("省内县外", 3), ("省外", 2)):
        add("employment", area=DEMO_COUNTY, year=last.year, month=last.month, headcount=n, place=place)
    for m in workers[:3]:
        add(
            "service131",
            member=m.id_number,
            year=today.year,
            career_guidance=1,
            job_recommendations=3,
            training_recommendations=1,
        )
    for i, m in enumerate(_members(min_age=25, max_age=60, n=3, skip=10)):
        add(
            "loans",
            member=m.id_number,
            amount=Decimal(["30000", "50000", "20000"][i]),
            term_months=36,
            rate="3.45",
            use=["养殖业", "种植业", "农产品加工"][i],
            bank="平定县农村商业银行",
            disbursed_on=start + timedelta(days=10 * (i + 1)),
        )
    add(
        "funds",
        area=DEMO_COUNTY,
        year=today.year,
        level="中央",
        amount=Decimal("6000000"),
        document="晋财农〔演示〕1号",
    )
    projects = get_ledger("projects")
    for i, (name, category, amount) in enumerate(
        [
            ("秋林庄村设施农业大棚", "产业发展", "3600000"),
            ("岔口乡村道硬化", "乡村建设", "2400000"),
            ("冠山镇中药材种植基地", "产业发展", "0"),
            ("巨城镇小型水窖", "乡村建设", "0"),
        ]
    ):
        p = add(
            "projects",
            area=DEMO_VILLAGE if i < 2 else DEMO_COUNTY,
            name=name,
            year=today.year,
            category=category,
        )
        if i < 3:
            ledger_entry_transition(actor=ACTOR, ledger=projects, entry=p, action="review")
        if i < 2:
            ledger_entry_transition(actor=ACTOR, ledger=projects, entry=p, action="approve")
            from fanpin.ledgers.framework.services import ledger_entry_update

            p.refresh_from_db()
            ledger_entry_update(
                actor=ACTOR,
                ledger=projects,
                entry=p,
                values={
                    "area": p.area_id,
                    "name": name,
                    "year": today.year,
                    "category": category,
                    "in_annual_plan": True,
                    "allocated": amount,
                    "disbursed": str(Decimal(amount) / 2),
                    "started_on": start + timedelta(days=5),
                },
            )
    for i, m in enumerate(_members(min_age=40, max_age=58, n=2, skip=20)):
        add(
            "welfare-jobs",
            member=m.id_number,
            post=["村级保洁员", "护林员"][i],
            post_type=["乡村保洁", "护林防火"][i],
            start_on=date(today.year, 1, 1),
            months=month_end.month,
            monthly_pay=Decimal("600"),
        )
    shop = add(
        "workshops",
        area=DEMO_TOWNSHIP,
        name="岔口乡手工编织帮扶车间",
        operator="平定县巧手编织合作社",
        industry="手工编织",
        workers_total=24,
        poor_workers=15,
        avg_monthly_wage=Decimal("2200"),
    )
    add(
        "workshops",
        area="140321100",
        name="冠山镇农副产品加工车间",
        operator="平定县冠山食品有限公司",
        workers_total=40,
        poor_workers=18,
    )
    for m in _members(min_age=30, max_age=55, n=2, skip=30):
        add(
            "workshop-workers",
            workshop=shop.pk,
            member=m.id_number,
            start_on=start,
            monthly_wage=Decimal("2200"),
        )
    for channel, amount, products in (
        ("认购销售", "412000", "小米、黄梨"),
        ("订单销售", "980000", "核桃、杂粮"),
        ("展销会", "86500", "砂器、黄梨"),
    ):
        add(
            "consumption",
            area=DEMO_COUNTY,
            sold_on=month_end,
            channel=channel,
            products=products,
            amount=Decimal(amount),
        )
    add(
        "assets",
        area=DEMO_VILLAGE,
        name="秋林庄村光伏电站",
        asset_class="经营性",
        project_year=2019,
        value=Decimal("1200000"),
        owner_type="村集体",
        keeper_unit="秋林庄村村民委员会",
        keeper="村委主任",
        income=Decimal("96000"),
        distributed=Decimal("80000"),
    )
    add(
        "assets",
        area=DEMO_VILLAGE,
        name="秋林庄村人饮工程",
        asset_class="公益性",
        project_year=2018,
        value=Decimal("450000"),
        owner_type="村集体",
        keeper_unit="秋林庄村村民委员会",
        maintenance="每季度巡检一次管网",
    )
    owner = _members(min_age=30, max_age=70, n=1, skip=40)
    if owner:
        add(
            "assets",
            name="到户养殖圈舍",
            asset_class="到户类",
            project_year=2020,
            value=Decimal("15000"),
            owner_type="农户",
            household=owner[0].household.code,
            keeper_unit="岔口乡人民政府",
        )
    for name, role, unit, week, year in (
        ("王建国", "第一书记", "平定县供水管理局", 5, 210),
        ("李红梅", "工作队队长", "平定县农业农村局", 5, 205),
        ("赵志强", "工作队员", "岔口乡人民政府", 4, 180),
    ):
        add(
            "work-teams",
            area=DEMO_VILLAGE,
            name=name,
            role=role,
            unit=unit,
            start_on=date(today.year - 1, 6, 1),
            days_week=week,
            days_year=year,
            trainings=2,
        )
    campaign = campaign_create(
        actor=ACTOR,
        name=CAMPAIGN_NAME,
        area_code=DEMO_COUNTY,
        start_on=start,
        end_on=month_end,
        note="演示数据：目标为示例",
    )
    for kw in (
        {"indicator": "workers", "compare_last_year": True, "target": Decimal("10")},
        {"indicator": "loan_amount", "label": "攻坚目标", "target": Decimal("80000"), "decimals": 1},
        {"indicator": "rectification_rate", "target": Decimal("100"), "decimals": 1},
        {
            "indicator": "fund_match_rate",
            "target": Decimal("100"),
            "start_on": date(today.year, 1, 1),
            "end_on": date(today.year, 12, 31),
            "decimals": 0,
        },
        {
            "indicator": "industry_share",
            "target": Decimal("60"),
            "start_on": date(today.year, 1, 1),
            "end_on": date(today.year, 12, 31),
            "decimals": 1,
        },
        {"indicator": "consumption_sales", "target": Decimal("1500000")},
    ):
        campaign_target_add(actor=ACTOR, campaign=campaign, **kw)
    return f"平定县台账记录 {made} 条，攻坚行动“{CAMPAIGN_NAME}”"

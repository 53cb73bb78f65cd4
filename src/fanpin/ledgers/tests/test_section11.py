"""Done means: the figures of domain §11, entered through the ledgers' real import and services, give
exactly the reported percentages on the campaign page of the right area.

Aggregate rows (a row carrying a count, see docs/ledgers.md) carry the large counts of workers and loans;
the 14,036 problems of Shanxi 2021 are imported one row per problem."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from fanpin.accounts.choices import Role
from fanpin.ledgers.campaigns.services import campaign_create, campaign_target_add
from fanpin.ledgers.framework.definition import get_ledger
from fanpin.ledgers.framework.services import (
    ledger_entry_create,
    ledger_entry_transition,
    ledger_entry_update,
)
from fanpin.ledgers.tests.files import import_file, read_xlsx, write_xlsx

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    return html.split('class="card h-100 progress-card"')[1:]


def _card(html: str, indicator: str, label: str = "") -> str:
    found = [c for c in _cards(html) if f'data-indicator="{indicator}"' in c and label in c]
    assert len(found) == 1, f"{indicator} {label}: {len(found)} cards"
    return found[0]


def _strong(card: str, cls: str) -> str:
    m = re.search(rf'class="{cls}">([^<]+)<', card)
    assert m, card[:500]
    return m.group(1)


def test_shanxi_2021_rectification_996(make_user, client, tmp_path):
    province = make_user(Role.PROVINCE, "14")
    counties = ["140321", "140404", "140105", "140212", "140525", "140702"]
    rows = []
    for i in range(14036):
        done = i < 13978
        rows.append(
            [
                counties[i % len(counties)],
                f"问题{i + 1}：帮扶措施与风险不匹配",
                "自查排查",
                "2021-03-15",
                "县乡村振兴局",
                "2021-06-30",
                "已整改" if done else "整改中",
                "2021-05-20" if done else None,
            ]
        )
    path = write_xlsx(
        tmp_path / "2021问题整改.xlsx",
        [
            "区划代码",
            "问题描述",
            "问题来源",
            "发现日期",
            "责任单位（责任人）",
            "整改时限",
            "整改状态",
            "整改完成日期",
        ],
        rows,
    )
    _batch, counts = import_file(actor=province, slug="rectification", path=path)
    assert counts["created"] == 14036

    campaign = campaign_create(
        actor=province,
        name="2021年问题排查整改",
        area_code="14",
        start_on=date(2021, 1, 1),
        end_on=date(2021, 12, 31),
    )
    campaign_target_add(actor=province, campaign=campaign, indicator="problems_found")
    campaign_target_add(actor=province, campaign=campaign, indicator="problems_rectified")
    campaign_target_add(
        actor=province, campaign=campaign, indicator="rectification_rate", target=Decimal("100"), decimals=1
    )

    client.force_login(province)
    html = client.get(reverse("ledgers:campaign_detail", args=[campaign.pk])).content.decode()
    assert "14,036 个" in _card(html, "problems_found")
    assert "13,978 个" in _card(html, "problems_rectified")
    rate = _card(html, "rectification_rate")
    assert '<div class="fs-5">99.6%</div>' in rate
    assert _strong(rate, "of-target") == "99.6%"


@pytest.fixture
def changzhi(make_user, tmp_path):
    """Changzhi's figures (end of June 2022) entered through the ledgers."""
    city = make_user(Role.CITY, "1404")
    # Workers: aggregate rows per county and place (June 2022 and June 2021).
    headers = ["区划代码", "年度", "月份", "人数", "务工地点", "就业渠道"]
    this_year = [
        ["140404", 2022, 6, 30000, "县内", "就近就业"],
        ["140423", 2022, 6, 57132, "省内县外", "有组织劳务输出"],
        ["140404", 2022, 6, 10000, "省外", "有组织劳务输出"],
        ["140429", 2022, 6, 7599, "省外", "自主外出"],
    ]
    last_year = [
        ["140404", 2021, 6, 28000, "县内", "就近就业"],
        ["140423", 2021, 6, 56047, "省内县外", "有组织劳务输出"],
        ["140404", 2021, 6, 9000, "省外", "有组织劳务输出"],
        ["140429", 2021, 6, 6432, "省外", "自主外出"],
    ]
    import_file(
        actor=city, slug="employment", path=write_xlsx(tmp_path / "务工.xlsx", headers, this_year + last_year)
    )
    # Loans: one aggregate row from the banks' statistics, 5,170 households, 2.58亿.
    import_file(
        actor=city,
        slug="loans",
        path=write_xlsx(
            tmp_path / "小额信贷.xlsx",
            ["区划代码", "户数", "贷款金额（元）", "期限（月）", "贷款用途", "放款日期"],
            [["1404", 5170, 258000000, 36, "种植业", "2022-06-30"]],
        ),
    )
    # Transition funds: 11.33亿 issued; approved library projects carry all of it.
    import_file(
        actor=city,
        slug="funds",
        path=write_xlsx(
            tmp_path / "资金.xlsx",
            ["区划代码", "年度", "资金来源", "下达金额（元）"],
            [
                ["1404", 2022, "中央", 780000000],
                ["1404", 2022, "省级", 250000000],
                ["1404", 2022, "市级", 103000000],
            ],
        ),
    )
    village = make_user(Role.VILLAGE, "140404101201")
    township = make_user(Role.TOWNSHIP, "140404101")
    county = make_user(Role.COUNTY, "140404")
    projects = get_ledger("projects")
    for name, amount in (
        ("苏店镇设施蔬菜大棚", "500000000"),
        ("上党区肉牛养殖基地", "400000000"),
        ("村道硬化", "233000000"),
    ):
        p = ledger_entry_create(
            actor=village,
            ledger=projects,
            values={
                "area": "140404101201",
                "name": name,
                "year": 2022,
                "category": "产业发展" if "村道" not in name else "乡村建设",
            },
        )
        ledger_entry_transition(actor=township, ledger=projects, entry=p, action="review")
        ledger_entry_transition(actor=county, ledger=projects, entry=p, action="approve")
        p.refresh_from_db()
        ledger_entry_update(
            actor=county,
            ledger=projects,
            entry=p,
            values={
                "area": "140404101201",
                "name": name,
                "year": 2022,
                "category": p.category,
                "in_annual_plan": True,
                "allocated": amount,
                "started_on": "2022-04-01",
            },
        )
    campaign = campaign_create(
        actor=city,
        name="2022年巩固衔接百日攻坚",
        area_code="1404",
        start_on=date(2022, 3, 23),
        end_on=date(2022, 6, 30),
    )
    add = lambda **kw: campaign_target_add(actor=city, campaign=campaign, **kw)  # noqa: E731
    add(indicator="workers", compare_last_year=True)
    add(indicator="workers_out_of_province", compare_last_year=True)
    add(indicator="loan_amount", label="攻坚目标", target=Decimal("211700000"), decimals=1)
    add(
        indicator="loan_amount",
        label="全年任务",
        target=Decimal("425000000"),
        start_on=date(2022, 1, 1),
        end_on=date(2022, 12, 31),
        decimals=1,
    )
    add(indicator="loan_households", label="攻坚行动放贷户数")
    add(
        indicator="fund_match_rate",
        target=Decimal("100"),
        start_on=date(2022, 1, 1),
        end_on=date(2022, 12, 31),
        decimals=0,
    )
    return city, campaign


def test_changzhi_2022_workers_loans_funds(changzhi, client, make_user):
    city, campaign = changzhi
    client.force_login(city)
    html = client.get(reverse("ledgers:campaign_detail", args=[campaign.pk])).content.decode()
    workers = _card(html, "workers")
    assert "104,731 人" in workers and "99,479 人" in workers
    assert _strong(workers, "of-last-year") == "105.28%"
    out = _card(html, "workers_out_of_province")
    assert "17,599 人" in out and "15,432 人" in out
    assert _strong(out, "of-last-year") == "114.04%"
    assert _strong(_card(html, "loan_amount", "攻坚目标"), "of-target") == "121.9%"
    assert _strong(_card(html, "loan_amount", "全年任务"), "of-target") == "60.7%"
    assert "258,000,000.00 元" in _card(html, "loan_amount", "攻坚目标")
    assert "5,170 户" in _card(html, "loan_households")
    assert '<div class="fs-5">100%</div>' in _card(html, "fund_match_rate")

    # The same figures in the campaign's .xlsx.
    sheet = read_xlsx(client.get(reverse("ledgers:campaign_export", args=[campaign.pk])).content)
    by_label = {(r[0], r[1]): r for r in sheet[3:]}
    assert by_label[("务工人数", "")][8] == "105.28%"
    assert by_label[("省外务工人数", "")][8] == "114.04%"
    assert by_label[("小额信贷发放金额", "攻坚目标")][6] == "121.9%"
    assert by_label[("小额信贷发放金额", "全年任务")][6] == "60.7%"
    assert by_label[("资金项目匹配率", "")][4] == "100%"

    # Yangquan's city staff do not see Changzhi's campaign.
    client.force_login(make_user(Role.CITY, "1403"))
    assert client.get(reverse("ledgers:campaign_detail", args=[campaign.pk])).status_code == 404


def test_yangquan_2022_employment_target(make_user, client, tmp_path):
    """11,328 employed = 107.58% of the target: the target this implies is 10,530 workers
    (11,328 ÷ 10,530 = 107.578…%; 10,529 would give 107.59%), i.e. 69.2% of the 15,217 labourers."""
    city = make_user(Role.CITY, "1403")
    rows = [
        ["140321", 2022, 12, 4100, "县内"],
        ["140321", 2022, 12, 1228, "省外"],
        ["140322", 2022, 12, 3600, "省内县外"],
        ["140302", 2022, 12, 1400, "县内"],
        ["140311", 2022, 12, 1000, "省内县外"],
    ]
    import_file(
        actor=city,
        slug="employment",
        path=write_xlsx(tmp_path / "阳泉务工.xlsx", ["区划代码", "年度", "月份", "人数", "务工地点"], rows),
    )
    campaign = campaign_create(
        actor=city,
        name="2022年脱贫劳动力务工就业",
        area_code="1403",
        start_on=date(2022, 1, 1),
        end_on=date(2022, 12, 31),
    )
    campaign_target_add(
        actor=city, campaign=campaign, indicator="workers", label="就业目标", target=Decimal("10530")
    )
    client.force_login(city)
    html = client.get(reverse("ledgers:campaign_detail", args=[campaign.pk])).content.decode()
    card = _card(html, "workers")
    assert "11,328 人" in card
    assert _strong(card, "of-target") == "107.58%"
    # The county of 平定 sees only its own part when it looks at the ledger.
    client.force_login(make_user(Role.COUNTY, "140321"))
    assert client.get(reverse("ledgers:campaign_detail", args=[campaign.pk])).status_code == 404


def test_changzhi_consumption_sum(make_user, tmp_path):
    """2,312.03万 + 7,222.6万 + 309万 = 9,843.63万, in Decimal yuan."""
    from fanpin.ledgers.framework.definition import all_metrics

    city = make_user(Role.CITY, "1404")
    import_file(
        actor=city,
        slug="consumption",
        path=write_xlsx(
            tmp_path / "消费帮扶.xlsx",
            ["区划代码", "销售日期（截至）", "销售渠道", "产品", "销售金额（元）"],
            [
                ["1404", "2022-06-30", "认购销售", "小米、杂粮", 23120300],
                ["1404", "2022-06-30", "订单销售", "蔬菜、肉牛", 72226000],
                ["1404", "2022-06-30", "展销会", "农副产品", 3090000],
            ],
        ),
    )
    _ledger, metric = all_metrics()["consumption_sales"]
    assert metric.compute("1404", date(2022, 1, 1), date(2022, 6, 30)) == Decimal("98436300.00")

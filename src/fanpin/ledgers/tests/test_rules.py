"""Each ledger's rules, with the policy limits as settings and refusals that name the rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.accounts.choices import Role
from fanpin.core.errors import ApplicationError
from fanpin.ledgers.framework.definition import get_ledger
from fanpin.ledgers.framework.services import (
    LedgerFormError,
    ledger_entry_create,
    ledger_entry_transition,
    ledger_entry_update,
)
from fanpin.ledgers.policy import ledger_setting_set, setting_value
from fanpin.ledgers.tests.files import write_xlsx
from fanpin.ledgers.tests.people import VILLAGE, person

pytestmark = pytest.mark.django_db


def _create(slug, values, actor="测试"):
    return ledger_entry_create(actor=actor, ledger=get_ledger(slug), values=values)


def _refused(slug, values, actor="测试") -> dict:
    with pytest.raises(LedgerFormError) as exc:
        _create(slug, values, actor)
    return {d["column"]: d["reason"] for d in exc.value.details}


def _loan(member, **kw):
    return {
        "member": member.id_number,
        "amount": "50000",
        "term_months": 36,
        "use": "养殖业",
        "disbursed_on": "2024-06-01",
        **kw,
    }


# ---- 小额信贷 ----------------------------------------------------------------------------------


def test_loan_within_limits_is_recorded_at_the_borrowers_village():
    household, m = person(born=date(1980, 1, 1))
    loan = _create("loans", _loan(m))
    assert loan.area_id == VILLAGE and loan.household == household and loan.amount == Decimal("50000")


def test_loan_limits_refused_naming_the_rule():
    _h, m = person(born=date(1980, 1, 1))
    errors = _refused("loans", _loan(m, amount="50000.01", term_months=48))
    assert "超过单户上限 50,000 元" in errors["贷款金额（元）"]
    assert "小额信贷单户额度上限" in errors["贷款金额（元）"]
    assert "期限 48 个月超过上限 36 个月" in errors["期限（月）"]


@pytest.mark.parametrize(
    "born,ok",
    [
        (date(2006, 6, 2), False),
        (date(2006, 6, 1), True),
        (date(1958, 6, 2), True),
        (date(1958, 6, 1), False),
    ],
)
def test_loan_borrower_age_18_to_65(born, ok):
    _h, m = person(born=born)
    if ok:
        _create("loans", _loan(m))
    else:
        message = _refused("loans", _loan(m))["借款人证件号码"]
        assert "不在 18–65 周岁之间" in message and "借款人最低年龄" in message


def test_loan_only_for_formerly_poor_or_monitored():
    _h, ordinary = person(born=date(1980, 1, 1), household_type="一般农户")
    assert "只贷给脱贫户和监测对象" in _refused("loans", _loan(ordinary))["借款户户编号"]
    _h, monitored = person(born=date(1981, 1, 1), household_type="一般农户", category="边缘易致贫户")
    _create("loans", _loan(monitored))


def test_loan_ceiling_is_a_setting(make_user):
    _h, m = person(born=date(1980, 1, 1))
    _refused("loans", _loan(m, amount="60000"))
    province = make_user(Role.PROVINCE, "14")
    ledger_setting_set(
        actor=province,
        province_code="14",
        key="loan_max_amount",
        value=Decimal("100000"),
        effective_from=date(2020, 1, 1),
        source="测试：额度调整",
    )
    assert setting_value("loan_max_amount") == Decimal("100000")
    _create("loans", _loan(m, amount="60000"))
    with pytest.raises(PermissionDenied):
        ledger_setting_set(
            actor=make_user(Role.COUNTY, "140321"),
            province_code="14",
            key="loan_max_amount",
            value=Decimal("1"),
            effective_from=date(2020, 1, 1),
        )


def test_aggregate_loan_row_checks_the_average():
    row = {
        "area": "140321",
        "households": 10,
        "term_months": 36,
        "use": "种植业",
        "disbursed_on": "2024-06-01",
    }
    _create("loans", {**row, "amount": "500000"})
    assert "户均 50000.10 元" in _refused("loans", {**row, "amount": "500001"})["贷款金额（元）"]


# ---- 公益性岗位 --------------------------------------------------------------------------------


def _job(member, **kw):
    return {
        "member": member.id_number,
        "post": "保洁员",
        "post_type": "乡村保洁",
        "start_on": "2025-01-01",
        "months": 6,
        "monthly_pay": "600",
        **kw,
    }


def test_welfare_job_ages():
    _h, young = person(born=date(2009, 6, 1))  # 15
    assert "不在 16–65 周岁之间" in _refused("welfare-jobs", _job(young))["上岗人员证件号码"]
    _h, older = person(born=date(1962, 6, 1))  # 62: allowed with a reason
    assert "请填写超龄上岗说明" in _refused("welfare-jobs", _job(older))["超龄上岗说明"]
    _create("welfare-jobs", _job(older, age_reason="弱劳力，村两委研究同意"))
    _h, old = person(born=date(1959, 6, 1))  # 65
    _create("welfare-jobs", _job(old, age_reason="确有需要"))
    _h, too_old = person(born=date(1958, 6, 1))  # 66
    assert (
        "公益性岗位放宽年龄上限"
        in _refused("welfare-jobs", _job(too_old, age_reason="x"))["上岗人员证件号码"]
    )


# ---- 项目库 ------------------------------------------------------------------------------------


def test_project_workflow_and_only_library_projects_get_funds(make_user):
    village = make_user(Role.VILLAGE, VILLAGE)
    township = make_user(Role.TOWNSHIP, VILLAGE[:9])
    county = make_user(Role.COUNTY, VILLAGE[:6])
    ledger = get_ledger("projects")
    values = {"area": VILLAGE, "name": "光伏电站", "year": 2025, "category": "产业发展"}
    errors = _refused("projects", {**values, "allocated": "100000"}, actor=village)
    assert "只有项目库内的项目才能安排资金" in errors["安排衔接资金（元）"]
    project = _create("projects", values, actor=village)
    assert project.status == "proposed"
    with pytest.raises(PermissionDenied):
        ledger_entry_transition(actor=village, ledger=ledger, entry=project, action="approve")
    with pytest.raises(ApplicationError, match="只有“乡镇审核通过”的记录可以县级审定入库"):
        ledger_entry_transition(actor=county, ledger=ledger, entry=project, action="approve")
    ledger_entry_transition(actor=township, ledger=ledger, entry=project, action="review", note="同意")
    project = ledger_entry_transition(actor=county, ledger=ledger, entry=project, action="approve")
    assert project.get_status_display() == "县级审定入库"
    with pytest.raises(LedgerFormError, match="已拨付资金大于安排的衔接资金"):
        ledger_entry_update(
            actor=county,
            ledger=ledger,
            entry=project,
            values={**values, "in_annual_plan": True, "allocated": "100000", "disbursed": "150000"},
        )
    project = ledger_entry_update(
        actor=county,
        ledger=ledger,
        entry=project,
        values={**values, "in_annual_plan": True, "allocated": "100000"},
    )
    assert project.allocated == Decimal("100000") and project.status == "approved"


def test_project_import_cannot_set_status(make_user, tmp_path):
    """The status column of an export is read-only: an import never moves the state machine."""
    from fanpin.ledgers.models import Project
    from fanpin.ledgers.tests.files import import_file

    county = make_user(Role.COUNTY, "140321")
    path = write_xlsx(
        tmp_path / "项目.xlsx",
        ["区划代码", "项目名称", "年度", "项目类别", "入库状态"],
        [[VILLAGE, "村道", 2025, "乡村建设", "县级审定入库"]],
    )
    import_file(actor=county, slug="projects", path=path)
    assert Project.objects.get().status == "proposed"


# ---- 务工、车间、资产、整改、工作队 ----------------------------------------------------------------------


def test_employment_person_or_aggregate_and_no_duplicates(make_user, tmp_path):
    from fanpin.ledgers.tests.files import upload

    _h, m = person(born=date(1990, 1, 1))
    row = {"member": m.id_number, "year": 2025, "month": 6, "place": "省外"}
    _create("employment", row)
    with pytest.raises(LedgerFormError, match="不要重复录入"):
        _create("employment", row)
    assert "“人数”应为 1" in _refused("employment", {**row, "month": 7, "headcount": 5})["人数"]
    assert "请填写区划代码" in str(
        _refused("employment", {"year": 2025, "month": 6, "place": "县内", "headcount": 3})
    )
    county = make_user(Role.COUNTY, "140321")
    path = write_xlsx(
        tmp_path / "w.xlsx",
        ["务工人员证件号码", "年度", "月份", "务工地点"],
        [[m.id_number, 2025, 8, "县内"], [m.id_number, 2025, 8, "省外"]],
    )
    batch = upload(actor=county, slug="employment", path=path)
    messages = [(i.row, i.message) for i in batch.issues.all()]
    assert messages == [
        (3, "与第 2 行的（务工人员证件号码、年度、月份）相同：同一记录只能录入一次，请合并或删除重复行。")
    ]


def test_service131_complete():
    _h, m = person(born=date(1990, 1, 1))
    entry = _create(
        "service131",
        {
            "member": m.id_number,
            "year": 2025,
            "career_guidance": 1,
            "job_recommendations": 2,
            "training_recommendations": 1,
        },
    )
    assert entry.complete is False
    entry.job_recommendations = 3
    assert entry.complete is True


def test_workshop_worker_only_in_own_area_workshop(make_user):
    county = make_user(Role.COUNTY, "140321")
    mine = _create(
        "workshops",
        {
            "area": "140321201",
            "name": "编织车间",
            "operator": "合作社",
            "workers_total": 10,
            "poor_workers": 6,
        },
        county,
    )
    other = _create(
        "workshops",
        {"area": "140105", "name": "外区车间", "operator": "x", "workers_total": 3, "poor_workers": 1},
    )
    assert (
        "不能多于吸纳就业人数"
        in _refused(
            "workshops",
            {"area": "140321", "name": "x", "operator": "x", "workers_total": 1, "poor_workers": 2},
        )["其中脱贫劳动力和监测对象"]
    )
    _h, m = person(born=date(1990, 1, 1))
    values = {"member": m.id_number, "start_on": "2025-01-01", "monthly_wage": "2000"}
    errors = _refused("workshop-workers", {**values, "workshop": other.pk}, county)
    assert "帮扶车间" in errors
    worker = _create("workshop-workers", {**values, "workshop": mine.pk}, county)
    assert worker.workshop == mine and worker.area_id == VILLAGE


def test_asset_ownership_rules():
    base = {"area": VILLAGE, "name": "圈舍", "project_year": 2020, "value": "15000", "keeper_unit": "乡政府"}
    errors = _refused("assets", {**base, "asset_class": "到户类", "owner_type": "村集体"})
    assert "到户类资产应确权到农户" in errors["确权对象"]
    household, _m = person(born=date(1970, 1, 1))
    asset = _create(
        "assets", {**base, "asset_class": "到户类", "owner_type": "农户", "household": household.code}
    )
    assert asset.household == household
    errors = _refused(
        "assets",
        {
            **base,
            "asset_class": "经营性",
            "owner_type": "村集体",
            "income": "100",
            "distributed": "200",
            "disposal": "报废",
        },
    )
    assert "收益分配多于本年收益" in errors["本年收益分配（元）"] and "处置日期" in errors["处置日期"]


def test_rectification_status_and_dates():
    base = {"area": VILLAGE, "problem": "x", "source": "审计", "found_on": "2025-03-01", "owner": "县局"}
    assert "须填写整改完成日期" in _refused("rectification", {**base, "status": "已整改"})["整改完成日期"]
    assert (
        "早于发现日期"
        in _refused("rectification", {**base, "status": "已整改", "rectified_on": "2025-02-01"})[
            "整改完成日期"
        ]
    )


def test_work_team_days_and_phone_masked(make_user, client):
    from django.urls import reverse

    base = {
        "area": VILLAGE,
        "name": "王书记",
        "role": "第一书记",
        "unit": "县水利局",
        "start_on": "2024-06-01",
    }
    assert "7" in _refused("work-teams", {**base, "days_week": 8})["本周在村天数"]
    member = _create("work-teams", {**base, "days_week": 5, "days_year": 200, "phone": "13812345678"})
    assert member.five_four
    client.force_login(make_user(Role.VILLAGE, VILLAGE))
    html = client.get(reverse("ledgers:entry_detail", args=["work-teams", member.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    _refused("work-teams", {**base, "area": "140321201"})  # a township is not a village


def test_settings_page_province_sets_a_limit(client, make_user):
    from django.urls import reverse

    client.force_login(make_user(Role.COUNTY, "140321"))
    html = client.get(reverse("ledgers:settings")).content.decode()
    assert "小额信贷单户额度上限" in html and "新增设置" not in html
    assert client.post(reverse("ledgers:settings"), {"key": "loan_max_amount"}).status_code == 403
    client.force_login(make_user(Role.PROVINCE, "14"))
    response = client.post(
        reverse("ledgers:settings"),
        {"key": "welfare_max_age", "value": "62", "effective_from": "2020-01-01", "source": "测试文件"},
    )
    assert response.status_code == 302
    assert setting_value("welfare_max_age") == Decimal("62")
    assert "测试文件" in client.get(reverse("ledgers:settings")).content.decode()


def test_member_removed_from_the_registry_keeps_the_ledger_entry():
    from fanpin.registry.services.households import member_remove

    _h, m = person(born=date(1980, 1, 1), name="王五")
    loan = _create("loans", _loan(m))
    member_remove(actor="测试", member=m, reason="死亡")
    loan.refresh_from_db()
    assert loan.member_id is None and loan.household_id is not None
    assert str(loan).startswith("王五") and loan.amount == Decimal("50000")


def test_interest_subsidy_at_most_rate_times_term_times_share():
    _h, m = person(born=date(1980, 1, 1))
    # 50,000 × 3.45% × 3 years × 1 = 5,175.00
    message = _refused("loans", _loan(m, rate="3.45", subsidy="5175.01"))["贴息金额（元）"]
    assert "5,175.00" in message and "小额信贷贴息比例" in message
    _create("loans", _loan(m, rate="3.45", subsidy="5175"))


def test_list_page_shows_the_ledgers_rates(client, make_user):
    from django.urls import reverse

    base = {"area": VILLAGE, "problem": "x", "source": "审计", "owner": "县局"}
    for _ in range(3):
        _create(
            "rectification",
            {**base, "found_on": "2025-03-01", "status": "已整改", "rectified_on": "2025-04-01"},
        )
    _create("rectification", {**base, "found_on": "2025-05-01"})
    _create("rectification", {**base, "found_on": "2024-05-01"})  # another year
    client.force_login(make_user(Role.COUNTY, "140321"))
    response = client.get(reverse("ledgers:entry_list", args=["rectification"]) + "?year=2025")
    html = response.content.decode()
    assert "问题整改完成率 <strong>75.0%</strong>" in html and "排查发现问题数 <strong>4 个</strong>" in html


def test_industry_share_compared_with_its_policy_floor(client, make_user):
    from django.urls import reverse

    from fanpin.ledgers.models import Project

    for category, amount in (("产业发展", "500000"), ("乡村建设", "500000")):
        Project.objects.create(  # approved library projects, as the workflow leaves them
            area_id=VILLAGE,
            name=category,
            year=2025,
            category=category,
            status="approved",
            allocated=Decimal(amount),
        )
    client.force_login(make_user(Role.COUNTY, "140321"))
    html = client.get(reverse("ledgers:entry_list", args=["projects"]) + "?year=2025").content.decode()
    assert "衔接资金用于产业发展比例 <strong>50.0%（低于要求 60%）</strong>" in html


def test_a_workshop_with_workers_cannot_be_deleted(client, make_user):
    from django.urls import reverse

    from fanpin.ledgers.framework.services import ledger_entry_delete
    from fanpin.ledgers.models import Workshop

    county = make_user(Role.COUNTY, "140321")
    shop = _create(
        "workshops",
        {"area": "140321201", "name": "编织车间", "operator": "社", "workers_total": 5, "poor_workers": 3},
    )
    _h, m = person(born=date(1990, 1, 1), name="赵六")
    _create(
        "workshop-workers",
        {"member": m.id_number, "workshop": shop.pk, "start_on": "2025-01-01", "monthly_wage": "2000"},
    )
    with pytest.raises(ApplicationError, match="1 条“帮扶车间务工人员”记录引用"):
        ledger_entry_delete(actor=county, ledger=get_ledger("workshops"), entry=shop)
    client.force_login(county)
    response = client.post(reverse("ledgers:entry_delete", args=["workshops", shop.pk]), follow=True)
    assert "不能删除" in response.content.decode() and Workshop.objects.filter(pk=shop.pk).exists()

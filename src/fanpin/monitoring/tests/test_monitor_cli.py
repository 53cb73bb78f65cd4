"""`fanpin monitor run`, `fanpin leads export` and `fanpin policy set`, as a county's data clerk scripts
them: the exit status says whether it worked, --json says what happened, errors are in Chinese, and
the exported sheet holds the month's leads as the system has them."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from fanpin.cli import main
from fanpin.core.models import AuditEvent
from fanpin.monitoring.models import Lead, MonitoringRun, PolicySetting
from fanpin.monitoring.tests.world import CHAKOU, QLZ, YUXIAN, household, person, policy_2025

pytestmark = pytest.mark.django_db

HEADERS = ("户编号", "户主", "村", "来源", "建议监测类别", "风险类型", "预警原因", "状态", "核实情况")


@pytest.fixture
def world(db):
    policy_2025()
    low = household("X1", village=QLZ, household_type="脱贫户", head="王秋林", monthly={"wage": "1000.00"})
    uninsured = household("X2", village=CHAKOU, head="张岔口", adults=1, monthly={"wage": "3000.00"})
    person(uninsured, relation="配偶", resident_medical=False)
    household("X3", village=QLZ, head="李秋林", monthly={"wage": "3000.00"})
    household("Y1", village=YUXIAN, head="孙盂县", monthly={"wage": "500.00"})
    return {"low": low, "uninsured": uninsured}


def monitor(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["monitor", "run", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_monitor_run_prints_the_counts_as_json(world, capsys):
    rc, out, _ = monitor(capsys, "--month", "2025-12", "--area", "140321", "--json")

    assert rc == 0
    result = json.loads(out)
    assert result["status"] == "done"
    assert result["area"] == "140321" and result["month"] == "2025-12"
    assert result["threshold"] == "7100.00"
    counts = result["counts"]
    assert counts["households"] == 3  # not 盂县's
    assert counts["people"] == 6
    assert counts["below_threshold"] == 1
    assert counts["leads"] == 2
    run = MonitoringRun.objects.get(pk=result["run"])
    assert run.counts == counts
    assert {lead.household.code for lead in Lead.objects.filter(run=run)} == {"X1", "X2"}


def test_monitor_run_without_json_prints_a_chinese_summary(world, capsys):
    rc, out, _ = monitor(capsys, "--month", "2025-12", "--area", "140321")

    assert rc == 0
    assert "140321 2025-12：3 户 6 人，低于监测范围 1 户，新线索 2 条" in out


@pytest.mark.parametrize("month", ["2025/12", "2025-13", "202512", "十二月"])
def test_a_bad_month_exits_1_with_a_chinese_message(world, capsys, month):
    rc, out, err = monitor(capsys, "--month", month, "--area", "140321", "--json")

    assert rc == 1
    assert "应写作 YYYY-MM" in err
    assert out == ""
    assert not MonitoringRun.objects.exists()


def test_a_month_without_a_policy_exits_1(world, capsys):
    rc, _, err = monitor(capsys, "--month", "2024-12", "--area", "140321", "--json")

    assert rc == 1
    assert "尚未设置 2024 年的监测范围" in err
    assert not MonitoringRun.objects.exists()


def test_an_unknown_area_exits_1(world, capsys):
    rc, _, err = monitor(capsys, "--month", "2025-12", "--area", "149999", "--json")

    assert rc == 1
    assert "不存在" in err


def read_sheet(path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).active
    return [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(values_only=True)]


def expected_rows(qs) -> list[tuple]:
    return [
        (
            lead.household.code,
            lead.household.head_name,
            lead.household.village.name,
            "月度监测规则",
            lead.suggested_category,
            "、".join(lead.risk_list),
            lead.reason,
            lead.get_status_display(),
            lead.handling_note,
        )
        for lead in qs.select_related("household__village").order_by("household__code")
    ]


def test_leads_export_writes_the_months_leads(world, capsys, tmp_path):
    assert main(["monitor", "run", "--month", "2025-12", "--area", "140321", "--json"]) == 0
    assert main(["monitor", "run", "--month", "2025-12", "--area", "140322", "--json"]) == 0
    capsys.readouterr()
    path = tmp_path / "线索202512.xlsx"

    rc = main(["leads", "export", "--month", "2025-12", "--out", str(path)])

    assert rc == 0
    assert "已导出 3 条线索" in capsys.readouterr().out
    rows = read_sheet(path)
    assert rows[0] == HEADERS
    assert rows[1:] == expected_rows(Lead.objects.filter(year=2025, month=12))
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"X1", "X2", "Y1"}
    assert by_code["X1"][1:3] == ("王秋林", "秋林庄村委会")
    assert by_code["X1"][4] == "脱贫不稳定户"
    assert by_code["X1"][6] == "人均纯收入 6,000.00 元，低于 2025 年监测范围 7,100 元"
    assert by_code["X2"][6] == "有家庭成员未参加城乡居民（职工）基本医疗保险"
    assert by_code["X2"][7] == "待核实"


def test_leads_export_of_one_area(world, capsys, tmp_path):
    main(["monitor", "run", "--month", "2025-12", "--area", "14", "--json"])
    path = tmp_path / "平定县.xlsx"

    assert main(["leads", "export", "--month", "2025-12", "--area", "140321", "--out", str(path)]) == 0

    assert [row[0] for row in read_sheet(path)[1:]] == ["X1", "X2"]


def test_leads_export_refuses_a_bad_month_or_area(world, capsys, tmp_path):
    path = tmp_path / "out.xlsx"

    assert main(["leads", "export", "--month", "2025/12", "--out", str(path)]) == 1
    assert "应写作 YYYY-MM" in capsys.readouterr().err
    assert main(["leads", "export", "--month", "2025-12", "--area", "1403211", "--out", str(path)]) == 1
    assert "区划代码" in capsys.readouterr().err
    assert not path.exists()


def test_policy_set_creates_a_setting(db, capsys):
    rc = main(["policy", "set", "--year", "2027", "--threshold", "7500", "--param", "rural_income=17500"])

    assert rc == 0
    assert "已保存" in capsys.readouterr().out
    setting = PolicySetting.objects.get(province_code="14", year=2027)
    assert setting.version == 1
    assert setting.threshold == Decimal("7500")
    assert setting.effective_from == date(2027, 1, 1)
    assert setting.params["rural_income"] == "17500"
    assert AuditEvent.objects.get(action="policy.set", object_id=str(setting.pk)).actor_name == "命令行"

    assert main(["policy", "set", "--year", "2027", "--threshold", "7600", "--from", "2027-07-01"]) == 0
    assert PolicySetting.objects.get(year=2027, version=2).effective_from == date(2027, 7, 1)


@pytest.mark.parametrize(
    "argv",
    [
        ["--year", "2027", "--threshold", "abc"],
        ["--year", "2027", "--threshold", "-7500"],
        ["--year", "2027", "--threshold", "7500", "--from", "2027-13-01"],
        ["--year", "2027", "--threshold", "7500", "--param", "oop_share_others=50"],
    ],
)
def test_policy_set_refuses_bad_values(db, capsys, argv):
    assert main(["policy", "set", *argv]) == 1
    assert capsys.readouterr().err.strip()
    assert not PolicySetting.objects.filter(year=2027).exists()

"""The staged import of the national export 《（自定义）监测对象信息》, as a county clerk uses it:
upload → parse job → review every error by Excel row and column → merge (all, or only the households
without errors) in one transaction → counts of what changed, and the change history of each household."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent
from fanpin.registry.models import Household, ImportBatch, IncomeRecord, Member
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.national.export import export_national
from fanpin.registry.selectors import household_history
from fanpin.registry.services.households import household_create, member_add
from fanpin.registry.services.imports import import_merge_request
from fanpin.registry.tests.national_files import (
    H1,
    H2,
    H3,
    ID,
    VILLAGE_CODE,
    has_chinese,
    issue_at,
    issues,
    merge,
    parse,
    pid,
    standard_rows,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def registry_counts() -> tuple[int, int, int]:
    return Household.objects.count(), Member.objects.count(), IncomeRecord.objects.count()


def wrong_check_char(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def set_household(rows, code, **cells):
    for row in rows:
        if row["户编号"] == code:
            row.update(cells)


# --- a clean file, end to end ----------------------------------------------------------------------


def test_clean_xlsx_is_staged_then_merged_with_exact_amounts(county_user, tmp_path):
    path = write_xlsx(tmp_path / "监测对象信息.xlsx", standard_rows())

    batch, job = parse(county_user, path)

    assert job.status == "succeeded"
    assert batch.status == "review"
    assert batch.counts["rows"] == 6
    assert batch.counts["households"] == 3
    assert batch.counts["members"] == 6
    assert batch.counts["errors"] == 0
    assert batch.counts["warnings"] == 0
    assert batch.counts["valid_households"] == 3
    assert batch.counts["new_households"] == 3
    assert registry_counts() == (0, 0, 0), "parsing must not write to the registry"

    batch, job = merge(county_user, batch, "all")

    assert job.status == "succeeded", job.error
    assert batch.status == "merged"
    assert batch.changes == {
        "households_created": 3,
        "households_updated": 0,
        "households_unchanged": 0,
        "members_added": 6,
        "members_updated": 0,
        "members_removed": 0,
        "households_skipped": 0,
    }
    assert registry_counts() == (3, 6, 2)  # H3 has no income columns filled

    h1 = Household.objects.get(code=H1)
    assert h1.village_id == VILLAGE_CODE
    assert (h1.county_code, h1.township_code) == ("140321", "140321201")
    assert h1.household_type == "脱贫户"
    assert h1.category == "脱贫不稳定户"
    assert h1.identified_month == "202106"
    assert h1.risk_list == ["因病", "因学"]
    assert h1.risk_eliminated is False
    assert h1.house_dangerous is False
    assert h1.water_secured is None  # empty cell = not recorded
    assert h1.cultivated_area == Decimal("3.50")
    assert h1.house_area == Decimal("86.40")
    assert h1.measures_recorded == {"就业帮扶": "劳务输出"}
    assert h1.phone == "13512345678"
    assert (h1.size, h1.head_name) == (3, "王建国")

    members = list(h1.members.order_by("id"))
    assert [(m.name, m.relation, m.sex) for m in members] == [
        ("王建国", "户主", "男"),
        ("李秀英", "配偶", "女"),
        ("王小明", "之子", "男"),
    ]
    assert members[0].id_number == ID["王建国"]
    assert members[0].birth_date == date(1968, 3, 15)
    assert members[0].resident_medical is True
    assert members[2].school_status == "高中一年级"
    assert members[2].education == "初中"

    record = IncomeRecord.objects.get(household=h1)
    assert (record.year, record.month, record.months) == (2025, 1, 12)
    assert record.wage == Decimal("12000.50")
    assert record.business == Decimal("3000.00")
    assert record.transfer == Decimal("2400.25")
    assert record.business_cost == Decimal("1000.00")
    assert h1.net_income == Decimal("16400.75")
    assert h1.per_capita_income == (h1.net_income / 3).quantize(Decimal("0.01")) == Decimal("5466.92")

    h2 = Household.objects.get(code=H2)
    assert h2.net_income == Decimal("9500.10")
    assert h2.per_capita_income == Decimal("4750.05")
    assert h2.members.get(name="张桂兰").health == "残疾"
    h3 = Household.objects.get(code=H3)
    assert h3.net_income is None and not h3.incomes.exists()

    created = AuditEvent.objects.filter(action="household.import_create")
    assert sorted(e.object_repr for e in created) == sorted(
        [f"王建国户（{H1}）", f"张桂兰户（{H2}）", f"刘福户（{H3}）"]
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_and_gb18030(county_user, tmp_path, encoding):
    path = write_csv(tmp_path / "监测对象信息.csv", standard_rows(), encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really a GB18030 file, not UTF-8 by accident

    batch, _job = parse(county_user, path)
    assert batch.status == "review"
    assert batch.counts["errors"] == 0, [i.message for i in issues(batch)]
    batch, job = merge(county_user, batch, "all")

    assert job.status == "succeeded", job.error
    assert sorted(Member.objects.values_list("name", flat=True)) == sorted(ID)
    h1 = Household.objects.get(code=H1)
    assert h1.village_id == VILLAGE_CODE
    assert h1.category == "脱贫不稳定户"
    assert h1.net_income == Decimal("16400.75")


def test_csv_errors_are_named_by_line_number(county_user, tmp_path):
    rows = standard_rows()
    rows[1]["证件号码"] = wrong_check_char(ID["李秀英"])
    path = write_csv(tmp_path / "gb.csv", rows, encoding="gb18030")

    batch, _job = parse(county_user, path)

    issue = issue_at(batch, 5, "证件号码")  # two title lines, header on line 3, 李秀英 on line 5
    assert "校验位错误" in issue.message


# --- every kind of error, by row and column ------------------------------------------------------
# standard_rows(): Excel rows 4 王建国, 5 李秀英, 6 王小明 (H1); 7 张桂兰, 8 赵强 (H2); 9 刘福 (H3).

ERROR_CASES = [
    pytest.param(
        lambda rows: rows[1].update({"证件号码": wrong_check_char(ID["李秀英"])}),
        5,
        "证件号码",
        "校验位错误",
        H1,
        id="ID checksum",
    ),
    pytest.param(
        lambda rows: rows[0].update({"出生日期": "19680316"}),
        4,
        "出生日期",
        "出生日期与身份证号码中的 19680315 不一致",
        H1,
        id="birth date not matching the ID",
    ),
    pytest.param(
        lambda rows: rows[3].update({"性别": "男"}),
        7,
        "性别",
        "性别与身份证号码（女）不一致",
        H2,
        id="sex not matching the ID",
    ),
    pytest.param(
        lambda rows: set_household(rows, H2, 村="桃花源村"),
        7,
        "村",
        "找不到“平定县岔口乡桃花源村”",
        H2,
        id="unknown village",
    ),
    pytest.param(
        lambda rows: rows[2].update({"出生日期": "20250230"}),
        6,
        "出生日期",
        "不是有效日期",
        H1,
        id="impossible date",
    ),
    pytest.param(
        lambda rows: set_household(rows, H2, 识别监测时间=f"{date.today().year + 1}01"),
        7,
        "识别监测时间",
        "晚于当前月份",
        H2,
        id="future month",
    ),
    pytest.param(
        lambda rows: set_household(rows, H2, 识别监测时间="2023-3"),
        7,
        "识别监测时间",
        "应为 6 位年月",
        H2,
        id="month not YYYYMM",
    ),
    pytest.param(
        lambda rows: set_household(rows, H1, 工资性收入="一万二"),
        4,
        "工资性收入",
        "“工资性收入”不是数字",
        H1,
        id="non-numeric income",
    ),
    pytest.param(
        lambda rows: set_household(rows, H2, 转移性收入="-300"),
        7,
        "转移性收入",
        "“转移性收入”不能为负数",
        H2,
        id="negative income",
    ),
    pytest.param(
        lambda rows: set_household(rows, H3, 户类型="贫困户"),
        9,
        "户类型",
        "不是可选值",
        H3,
        id="value not in the code table",
    ),
    pytest.param(
        lambda rows: set_household(rows, H3, **{"致贫/返贫风险1": "因懒"}),
        9,
        "致贫/返贫风险1",
        "风险类型代码表",
        H3,
        id="risk not in the code table",
    ),
    pytest.param(
        lambda rows: set_household(rows, H3, 是否危房户="不是"),
        9,
        "是否危房户",
        "应填“是”或“否”",
        H3,
        id="yes/no column",
    ),
    pytest.param(
        lambda rows: rows[3].update({"务工所在地": "山西省阳泉市平定县" * 6}),
        7,
        "务工所在地",
        "“务工所在地”超过 50 个字",
        H2,
        id="over the column's max length",
    ),
    pytest.param(
        lambda rows: rows[1].update({"与户主关系": "户主"}),
        4,
        "与户主关系",
        "每户应有且只有一个户主，该户有 2 个",
        H1,
        id="two heads in one household",
    ),
    pytest.param(
        lambda rows: rows[1].update({"户联系电话": "13900000000"}),
        5,
        "户联系电话",
        "同一户的“户联系电话”与第 4 行不一致",
        H1,
        id="household value differing between its member rows",
    ),
    pytest.param(
        lambda rows: rows[2].update({"致贫/返贫风险2": ""}),
        6,
        "致贫/返贫风险",
        "同一户的“致贫/返贫风险”与第 4 行不一致",
        H1,
        id="risks differing between member rows",
    ),
]


@pytest.mark.parametrize("mutate, row, column, message, household", ERROR_CASES)
def test_each_error_is_named_by_row_and_column(
    county_user, tmp_path, mutate, row, column, message, household
):
    rows = standard_rows()
    mutate(rows)

    batch, job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))

    assert job.status == "succeeded"
    assert batch.status == "review"
    issue = issue_at(batch, row, column)
    assert message in issue.message
    assert has_chinese(issue.message)
    assert issue.household_code == household
    assert batch.counts["errors"] >= 1
    assert batch.counts["households_with_errors"] == 1
    assert batch.counts["valid_households"] == 2
    assert registry_counts() == (0, 0, 0)


def test_a_clean_head_swap_is_not_an_error(county_user, tmp_path):
    """Control for the 户主 check: one head per household, whoever it is, is accepted."""
    rows = standard_rows()
    rows[3]["与户主关系"] = "之母"
    rows[4]["与户主关系"] = "户主"
    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))
    assert batch.counts["errors"] == 0, [i.message for i in issues(batch)]


def test_member_without_household_code_blocks_every_merge(county_user, tmp_path):
    rows = standard_rows()
    rows[4]["户编号"] = ""  # 赵强 belongs to no household

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))

    issue = issue_at(batch, 8, "户编号")
    assert "户编号为空" in issue.message and "不属于任何户" in issue.message
    assert batch.status == "review"
    assert batch.counts["blocking"] == 1
    # H2 now has one member row where 家庭人口数 says 2: the clerk is told.
    size_warning = issue_at(batch, 7, "家庭人口数", level="warning")
    assert "成员行数 1" in size_warning.message
    for mode in ("all", "valid"):
        with pytest.raises(ApplicationError, match="户编号为空|处错误"):
            import_merge_request(actor=county_user, batch=batch, mode=mode)
    assert ImportBatch.objects.get(pk=batch.pk).status == "review"
    assert registry_counts() == (0, 0, 0)


def test_duplicate_id_within_the_file_names_both_rows(county_user, tmp_path):
    rows = standard_rows()
    # 赵强's row (8, H2) carries 王建国's ID (row 4, H1), consistently with its birth date and sex.
    rows[4].update({"证件号码": ID["王建国"], "出生日期": "19680315", "性别": "男"})

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))

    second = issue_at(batch, 8, "证件号码")
    assert "证件号码重复" in second.message and "第 4 行" in second.message and H1 in second.message
    assert second.household_code == H2
    first = issue_at(batch, 4, "证件号码")
    assert "证件号码重复" in first.message and "第 8 行" in first.message and H2 in first.message
    assert first.household_code == H1
    assert batch.counts["households_with_errors"] == 2

    batch, job = merge(county_user, batch, "valid")
    assert job.status == "succeeded", job.error
    assert list(Household.objects.values_list("code", flat=True)) == [H3]
    assert batch.changes["households_skipped"] == 2


def test_id_registered_in_another_household_names_that_household(county_user, tmp_path):
    other = household_create(
        actor=county_user, code="1403212012490099", village_code=VILLAGE_CODE, household_type="一般农户"
    )
    member_add(actor=county_user, household=other, name="王建国", id_number=ID["王建国"], relation="户主")

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", standard_rows()))

    issue = issue_at(batch, 4, "证件号码")
    assert "已登记在户 1403212012490099" in issue.message
    assert issue.household_code == H1
    batch, _job = merge(county_user, batch, "valid")
    assert not Household.objects.filter(code=H1).exists()
    assert Member.objects.with_id_number(ID["王建国"]).get().household_id == other.pk


def test_household_code_over_32_characters_does_not_hide_the_valid_households(county_user, tmp_path):
    rows = standard_rows()
    rows[5]["户编号"] = "1" * 33  # 刘福's household: a code that cannot be stored

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))

    issue = issue_at(batch, 9, "户编号")
    assert "户编号超过 32 位" in issue.message
    assert batch.counts["valid_households"] == 2
    batch, job = merge(county_user, batch, "valid")
    assert job.status == "succeeded", job.error
    assert sorted(Household.objects.values_list("code", flat=True)) == [H1, H2]


def test_missing_required_column_is_refused(county_user, tmp_path):
    headers = [h for h in HEADERS if h != "证件号码"]

    batch, job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", standard_rows(), headers))

    assert batch.status == "refused"
    issue = issue_at(batch, 3, "证件号码")
    assert "缺少必需的列：证件号码" in issue.message
    with pytest.raises(ApplicationError):
        import_merge_request(actor=county_user, batch=batch, mode="all")
    assert registry_counts() == (0, 0, 0)


# --- merge all / merge valid ---------------------------------------------------------------------


def test_merge_all_is_refused_while_any_error_exists(county_user, tmp_path):
    rows = standard_rows()
    rows[5]["出生日期"] = "19480521"  # 刘福 (H3): one error in one household
    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))
    before = registry_counts()

    with pytest.raises(ApplicationError, match="1 处错误，不能全部导入"):
        import_merge_request(actor=county_user, batch=batch, mode="all")

    assert registry_counts() == before == (0, 0, 0)
    assert ImportBatch.objects.get(pk=batch.pk).status == "review"


def test_merge_valid_writes_whole_households_without_errors_only(county_user, tmp_path):
    rows = standard_rows()
    rows[1]["证件号码"] = wrong_check_char(ID["李秀英"])  # H1's second member is wrong

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))
    batch, job = merge(county_user, batch, "valid")

    assert job.status == "succeeded", job.error
    assert batch.status == "merged"
    assert sorted(Household.objects.values_list("code", flat=True)) == [H2, H3]
    # Not half of H1: its valid members 王建国 and 王小明 are not written either.
    assert not Member.objects.with_id_numbers([ID["王建国"], ID["王小明"]]).exists()
    assert not IncomeRecord.objects.filter(household__code=H1).exists()
    assert batch.changes["households_created"] == 2
    assert batch.changes["members_added"] == 3
    assert batch.changes["households_skipped"] == 1


def test_merge_valid_leaves_an_existing_household_with_an_error_untouched(county_user, tmp_path):
    batch, _job = parse(county_user, write_xlsx(tmp_path / "first.xlsx", standard_rows()))
    merge(county_user, batch, "all")
    h1_before = Household.objects.get(code=H1)

    rows = standard_rows()
    rows[2]["健康状况"] = "患大病"  # a valid change in H1 …
    rows[1]["出生日期"] = "19700703"  # … and an error in H1
    rows[4]["健康状况"] = "长期慢性病"  # a valid change in H2
    batch, _job = parse(county_user, write_xlsx(tmp_path / "second.xlsx", rows))
    batch, job = merge(county_user, batch, "valid")

    assert job.status == "succeeded", job.error
    assert Member.objects.with_id_number(ID["王小明"]).get().health == "健康"
    assert Member.objects.with_id_number(ID["李秀英"]).get().birth_date == date(1970, 7, 2)
    assert Household.objects.get(code=H1).version == h1_before.version
    assert Member.objects.with_id_number(ID["赵强"]).get().health == "长期慢性病"
    assert batch.changes["households_skipped"] == 1
    assert batch.changes["members_updated"] == 1


def test_a_batch_cannot_be_merged_twice(county_user, tmp_path):
    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", standard_rows()))
    import_merge_request(actor=county_user, batch=batch, mode="all")
    with pytest.raises(ApplicationError, match="写入中"):  # a second click while the first runs
        import_merge_request(actor=county_user, batch=ImportBatch.objects.get(pk=batch.pk), mode="all")

    from fanpin.core.jobs import job_run_next

    job_run_next()
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == "merged"
    with pytest.raises(ApplicationError, match="已导入"):
        import_merge_request(actor=county_user, batch=batch, mode="all")
    assert registry_counts() == (3, 6, 2)


# --- unknown columns -----------------------------------------------------------------------------


def test_unknown_columns_are_reported_kept_and_exported_back(county_user, tmp_path):
    headers = HEADERS + ["备注", "帮扶责任人"]
    rows = standard_rows()
    rows[0]["备注"] = "2024年住院两次"
    rows[0]["帮扶责任人"] = "李干部"
    rows[3]["帮扶责任人"] = "赵干部"

    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows, headers))

    assert batch.unknown_columns == ["备注", "帮扶责任人"]
    warnings = issues(batch, "warning")
    assert [(w.row, w.column) for w in warnings] == [(3, "备注"), (3, "帮扶责任人")]
    assert all("未识别" in w.message for w in warnings)
    assert batch.counts["errors"] == 0
    assert batch.counts["warnings"] == 2

    merge(county_user, batch, "all")
    assert Member.objects.with_id_number(ID["王建国"]).get().extra == {
        "备注": "2024年住院两次",
        "帮扶责任人": "李干部",
    }
    assert Member.objects.with_id_number(ID["张桂兰"]).get().extra == {"帮扶责任人": "赵干部"}
    assert Member.objects.with_id_number(ID["刘福"]).get().extra == {}

    out = tmp_path / "export.xlsx"
    export_national(
        households=Household.objects.all(), path=out, area_name="平定县", area_code="140321", year=2025
    )
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[3]]
    assert header[: len(HEADERS)] == HEADERS
    assert header[len(HEADERS) :] == ["备注", "帮扶责任人"]
    by_id = {}
    for row in sheet.iter_rows(min_row=4, values_only=True):
        cells = dict(zip(header, row, strict=False))
        by_id[cells["证件号码"]] = cells
    assert by_id[ID["王建国"]]["备注"] == "2024年住院两次"
    assert by_id[ID["王建国"]]["帮扶责任人"] == "李干部"
    assert by_id[ID["张桂兰"]]["帮扶责任人"] == "赵干部"
    assert by_id[ID["刘福"]]["备注"] is None


# --- re-importing --------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(county_user, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", standard_rows())
    batch, _job = parse(county_user, path)
    merge(county_user, batch, "all")
    snapshot = {
        h.code: (h.version, h.net_income, h.per_capita_income, h.size) for h in Household.objects.all()
    }
    members = dict(Member.objects.values_list("id_number", "pk"))
    events = AuditEvent.objects.filter(action__startswith="household.").count()

    batch, _job = parse(county_user, path)
    assert batch.counts["existing_households"] == 3
    assert batch.counts["new_households"] == 0
    batch, job = merge(county_user, batch, "all")

    assert job.status == "succeeded", job.error
    assert batch.changes == {
        "households_created": 0,
        "households_updated": 0,
        "households_unchanged": 3,
        "members_added": 0,
        "members_updated": 0,
        "members_removed": 0,
        "households_skipped": 0,
    }
    assert {
        h.code: (h.version, h.net_income, h.per_capita_income, h.size) for h in Household.objects.all()
    } == snapshot
    assert dict(Member.objects.values_list("id_number", "pk")) == members
    assert AuditEvent.objects.filter(action__startswith="household.").count() == events
    assert not AuditEvent.objects.filter(action__startswith="member.import").exists()
    assert registry_counts() == (3, 6, 2)


def test_reimport_with_changes_counts_them_and_records_the_history(county_user, tmp_path):
    batch, _job = parse(county_user, write_xlsx(tmp_path / "first.xlsx", standard_rows()))
    merge(county_user, batch, "all")
    version = Household.objects.get(code=H1).version

    rows = standard_rows()
    rows[1]["健康状况"] = "长期慢性病"  # 李秀英
    del rows[2]  # 王小明 left the household (减员)
    set_household(rows, H1, 家庭人口数="2", **{"人均纯收入（元）": "8200.38"})
    batch, _job = parse(county_user, write_xlsx(tmp_path / "second.xlsx", rows))
    assert batch.counts["errors"] == 0 and batch.counts["warnings"] == 0
    batch, job = merge(county_user, batch, "all")

    assert job.status == "succeeded", job.error
    assert batch.changes == {
        "households_created": 0,
        "households_updated": 1,
        "households_unchanged": 2,
        "members_added": 0,
        "members_updated": 1,
        "members_removed": 1,
        "households_skipped": 0,
    }
    h1 = Household.objects.get(code=H1)
    assert h1.size == 2 and h1.version == version + 1
    assert h1.per_capita_income == Decimal("8200.38")  # 16400.75 / 2, rounded half up
    assert Member.objects.with_id_number(ID["李秀英"]).get().health == "长期慢性病"
    assert not Member.objects.with_id_number(ID["王小明"]).exists()

    history = list(household_history(user=county_user, household=h1))
    assert all(H1 in e.object_repr for e in history)
    by_action = {e.action: e for e in history}
    assert by_action["household.import_update"].before["size"] == 3
    assert by_action["household.import_update"].after["size"] == 2
    assert "王小明" in by_action["member.import_remove"].object_repr
    update = by_action["member.import_update"]
    assert "李秀英" in update.object_repr
    assert update.before == {"health": "健康"} and update.after == {"health": "长期慢性病"}
    assert by_action["household.import_update"].actor == county_user


def test_reimport_adding_a_member_records_it_in_the_history(county_user, tmp_path):
    batch, _job = parse(county_user, write_xlsx(tmp_path / "first.xlsx", standard_rows()))
    merge(county_user, batch, "all")

    rows = standard_rows()
    newborn = pid(date(2024, 2, 29), 82)
    rows.insert(
        5,
        dict(rows[4], 姓名="赵丽", 证件号码=newborn, 出生日期="20240229", 性别="女", 与户主关系="之孙女"),
    )
    set_household(rows, H2, 家庭人口数="3", **{"人均纯收入（元）": "3166.70"})
    batch, _job = parse(county_user, write_xlsx(tmp_path / "second.xlsx", rows))
    batch, job = merge(county_user, batch, "all")

    assert job.status == "succeeded", job.error
    assert batch.changes["members_added"] == 1
    h2 = Household.objects.get(code=H2)
    assert h2.size == 3 and h2.per_capita_income == Decimal("3166.70")
    actions = [e.action for e in household_history(user=county_user, household=h2)]
    assert "member.import_add" in actions


# --- files that are refused ----------------------------------------------------------------------


def test_a_file_without_a_header_row_is_refused(county_user, tmp_path):
    path = tmp_path / "no-header.xlsx"
    book = openpyxl.Workbook()
    for row in standard_rows():
        book.active.append([row.get(h) or None for h in HEADERS])  # data, but no header row
    book.save(path)

    batch, job = parse(county_user, path)

    assert job.status == "failed"
    assert batch.status == "refused"
    assert "没有找到表头" in batch.message and "户编号" in batch.message
    assert "没有找到表头" in job.error
    assert registry_counts() == (0, 0, 0)


def test_random_bytes_named_xlsx_are_refused_clearly(county_user, tmp_path):
    path = tmp_path / "监测对象信息.xlsx"
    path.write_bytes(os.urandom(4096))

    batch, job = parse(county_user, path)

    assert job.status == "failed"
    assert batch.status == "refused"
    assert "无法读取 Excel 文件“监测对象信息.xlsx”" in batch.message
    assert "不是 .xlsx 格式" in batch.message
    assert "内部错误" not in job.error
    assert registry_counts() == (0, 0, 0)
    with pytest.raises(ApplicationError):
        import_merge_request(actor=county_user, batch=batch, mode="valid")


def test_other_file_types_are_refused_at_upload(county_user, tmp_path):
    path = tmp_path / "监测对象信息.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    from fanpin.registry.services.imports import import_create

    with pytest.raises(ApplicationError, match="请上传 .xlsx 或 .csv 文件"):
        import_create(actor=county_user, source=path, file_name=path.name, area_code="140321", year=2025)
    assert not ImportBatch.objects.exists()


# --- area scope ----------------------------------------------------------------------------------


def test_township_user_gets_an_error_for_a_village_of_another_township(make_user, fanpin_home, tmp_path):
    township = make_user("township", "140321201")  # 岔口乡
    rows = standard_rows()
    set_household(rows, H3, 乡="石门口乡", 村="大石门村")  # a real village, but of 石门口乡

    batch, _job = parse(township, write_xlsx(tmp_path / "f.xlsx", rows), area_code="140321201")

    issue = issue_at(batch, 9, "村")
    assert "在您的管辖范围内找不到“平定县石门口乡大石门村”" in issue.message
    assert issue.household_code == H3
    batch, job = merge(township, batch, "valid")
    assert job.status == "succeeded", job.error
    assert sorted(Household.objects.values_list("code", flat=True)) == [H1, H2]


def test_the_same_village_is_accepted_at_county_scope(county_user, tmp_path):
    """Control for the test above: 大石门村 is a real village of 平定县."""
    rows = standard_rows()
    set_household(rows, H3, 乡="石门口乡", 村="大石门村")
    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))
    assert batch.counts["errors"] == 0
    merge(county_user, batch, "all")
    assert Household.objects.get(code=H3).village_id == "140321200201"


def test_township_user_cannot_import_for_the_whole_county(make_user, fanpin_home, tmp_path):
    township = make_user("township", "140321201")
    with pytest.raises(PermissionDenied):
        parse(township, write_xlsx(tmp_path / "f.xlsx", standard_rows()), area_code="140321")
    assert not ImportBatch.objects.exists()

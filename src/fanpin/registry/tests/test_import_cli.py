"""`fanpin import national …` and `fanpin export national …`, as a county's data clerk scripts them:
the exit status says whether the file went in, --json says what happened, an error sheet is written
next to a file with errors, and nothing is written unless the merge succeeds."""

from __future__ import annotations

import json
import os
from datetime import date

import openpyxl
import pytest

from fanpin.cli import main
from fanpin.registry.models import Household, ImportBatch, IncomeRecord, Member
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.services.households import household_create, member_add
from fanpin.registry.tests.national_files import H1, H2, H3, ID, pid, standard_rows, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def home(fanpin_home):
    return fanpin_home


def run_import(capsys, path, *extra: str) -> tuple[int, dict]:
    rc = main(["import", "national", str(path), "--year", "2025", "--area", "140321", "--json", *extra])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def registry_counts():
    return Household.objects.count(), Member.objects.count(), IncomeRecord.objects.count()


def file_with_errors(tmp_path):
    rows = standard_rows()
    rows[1]["证件号码"] = ID["李秀英"][:17] + ("0" if ID["李秀英"][17] != "0" else "1")  # row 5: checksum
    rows[3]["出生日期"] = "19550230"  # row 7: impossible date
    return write_xlsx(tmp_path / "平定县监测对象.xlsx", rows)


def test_file_with_errors_exits_non_zero_writes_the_error_sheet_and_nothing_else(capsys, tmp_path):
    path = file_with_errors(tmp_path)

    rc, out = run_import(capsys, path, "--merge", "all")

    assert rc != 0
    assert out["status"] == "review"
    assert out["counts"]["errors"] == 2
    assert "不能全部导入" in out["refused"]
    assert "changes" not in out
    sheet_path = out["error_sheet"]
    assert sheet_path.endswith(".xlsx") and os.path.exists(sheet_path)
    sheet = openpyxl.load_workbook(sheet_path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("级别", "行号", "列", "内容", "说明", "户编号")
    located = [(r[0], r[1], r[2], r[5]) for r in rows[1:]]
    assert located == [("错误", 5, "证件号码", H1), ("错误", 7, "出生日期", H2)]
    assert registry_counts() == (0, 0, 0)
    assert ImportBatch.objects.get(pk=out["batch"]).status == "review"


def test_merge_valid_from_the_command_line_imports_the_clean_households(capsys, tmp_path):
    rc, out = run_import(capsys, file_with_errors(tmp_path), "--merge", "valid")

    assert rc == 0
    assert out["status"] == "merged"
    assert out["changes"]["households_created"] == 1
    assert out["changes"]["households_skipped"] == 2
    assert list(Household.objects.values_list("code", flat=True)) == [H3]


def test_clean_file_exits_zero_with_the_change_counts(capsys, tmp_path):
    path = write_xlsx(tmp_path / "clean.xlsx", standard_rows())

    rc, out = run_import(capsys, path, "--merge", "all")

    assert rc == 0
    assert out["status"] == "merged"
    assert "refused" not in out and "error_sheet" not in out
    assert out["counts"]["households"] == 3 and out["counts"]["members"] == 6
    assert out["changes"] == {
        "households_created": 3,
        "households_updated": 0,
        "households_unchanged": 0,
        "members_added": 6,
        "members_updated": 0,
        "members_removed": 0,
        "households_skipped": 0,
    }
    assert registry_counts() == (3, 6, 2)

    rc, out = run_import(capsys, path, "--merge", "all")
    assert rc == 0
    assert out["changes"]["households_unchanged"] == 3
    assert out["changes"]["households_created"] == out["changes"]["members_added"] == 0
    assert registry_counts() == (3, 6, 2)


def test_without_merge_the_file_is_only_parsed(capsys, tmp_path):
    rc, out = run_import(capsys, write_xlsx(tmp_path / "clean.xlsx", standard_rows()))

    assert rc == 0
    assert out["status"] == "review"
    assert registry_counts() == (0, 0, 0)


def test_unreadable_or_missing_file_exits_non_zero(capsys, tmp_path):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(os.urandom(2048))

    rc, out = run_import(capsys, path, "--merge", "all")
    assert rc == 1
    assert out["status"] == "refused"
    assert "无法读取 Excel 文件" in out["refused"]

    assert main(["import", "national", str(tmp_path / "nope.xlsx"), "--json"]) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert registry_counts() == (0, 0, 0)


def test_export_writes_the_asked_area(capsys, tmp_path):
    rc, _out = run_import(capsys, write_xlsx(tmp_path / "clean.xlsx", standard_rows()), "--merge", "all")
    assert rc == 0
    elsewhere = household_create(
        actor="测试", code="1403111002060001", village_code="140311100206", household_type="一般农户"
    )
    member_add(actor="测试", household=elsewhere, name="外县人", id_number=pid_elsewhere(), relation="户主")
    out_path = tmp_path / "导出" / "平定县.xlsx"
    out_path.parent.mkdir()

    rc = main(["export", "national", "--area", "140321", "--out", str(out_path)])

    assert rc == 0
    assert "已导出 6 行" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out_path).active
    assert [c.value for c in sheet[3]] == HEADERS
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert {r[HEADERS.index("证件号码")] for r in rows} == set(ID.values())
    assert {r[HEADERS.index("户编号")] for r in rows} == {H1, H2, H3}


def test_export_of_an_unknown_area_fails(capsys, tmp_path):
    out_path = tmp_path / "x.xlsx"
    assert main(["export", "national", "--area", "149999", "--out", str(out_path)]) == 1
    assert "不存在" in capsys.readouterr().err
    assert not out_path.exists()


def pid_elsewhere() -> str:
    return pid(date(1980, 1, 1), 91, region="140311")

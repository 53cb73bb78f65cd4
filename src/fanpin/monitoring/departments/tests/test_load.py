"""Loading department files: each source's format is enforced (refused files keep nothing), bad rows
are counted and listed with row, column and reason, the rest is kept; the same file twice is refused;
.csv (UTF-8, GB18030), .xlsx and .parquet are read alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fanpin.core.errors import ApplicationError
from fanpin.monitoring.departments import identity
from fanpin.monitoring.departments.formats import FORMATS
from fanpin.monitoring.departments.load import department_batch_create
from fanpin.monitoring.departments.match import records_path
from fanpin.monitoring.departments.tests.files import HEADERS, load, write_csv, write_parquet, write_xlsx
from fanpin.monitoring.models import DepartmentBatch, DepartmentIssue, DepartmentRecord
from fanpin.monitoring.tests.world import household, policy_2025
from fanpin.registry import idnumber

pytestmark = pytest.mark.django_db

GOOD_ID = idnumber.make("140321", date(1980, 5, 6), 11)


@pytest.fixture(autouse=True)
def _policy(db):
    policy_2025()


@pytest.mark.parametrize("source", sorted(FORMATS))
def test_a_file_without_the_sources_columns_is_refused_naming_them(tmp_path, source):
    path = write_csv(tmp_path, f"{source}.csv", ["证件号码", "姓名", "备注"], [[GOOD_ID, "张三", "x"]])
    with pytest.raises(ApplicationError) as refused:
        department_batch_create(
            actor="测试",
            source=source,
            path=path,
            file_name=path.name,
            area_code="140321",
            year=2025,
            month=10,
        )
    fmt = FORMATS[source]
    message = refused.value.message
    assert f"不是{fmt.label}数据的格式：缺少列" in message
    assert f"{fmt.label}数据应有的列：{fmt.expected()}。" in message
    for header in HEADERS[source][2:]:
        if source != "medical" or header != "年度":
            assert header in message
    assert not DepartmentBatch.objects.exists() and not DepartmentRecord.objects.exists()


def test_medical_needs_year_or_settlement_month(tmp_path):
    header = ["证件号码", "姓名", "个人自付金额", "医疗总费用"]
    path = write_csv(tmp_path, "yb.csv", header, [[GOOD_ID, "张三", "100", "200"]])
    with pytest.raises(
        ApplicationError,
        match="缺少列 年度或结算月份。医保数据应有的列：证件号码、姓名、个人自付金额、医疗总费用、年度或结算月份",
    ):
        department_batch_create(
            actor="测试",
            source="medical",
            path=path,
            file_name=path.name,
            area_code="140321",
            year=2025,
            month=10,
        )


def test_bad_rows_are_counted_and_listed_and_the_rest_kept(tmp_path):
    bad_check = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    rows = [
        [GOOD_ID, "张三", "低保", "新增", "3,600.00"],
        [bad_check, "李四", "低保", "新增", "100"],
        ["14032119800506", "王五", "特困", "新增", "100"],
        [GOOD_ID, "赵六", "低保", "新增", "一百元"],
        [GOOD_ID, "钱七", "临时救助", "新增", "-5"],
        [GOOD_ID, "孙八", "临时救助", "新增", "200000000"],
        [GOOD_ID, "周九", "五保", "新增", "10"],
        ["", "吴十", "低保", "停发", ""],
    ]
    batch = load(write_csv(tmp_path, "mz.csv", HEADERS["civil"], rows), "civil")
    assert batch.counts["rows"] == 8
    assert batch.counts["kept"] == 1
    assert batch.counts["bad_rows"] == 7
    assert batch.counts["issues"] == 8  # row 9 has two: no ID and no amount
    issues = [(i.row, i.column, i.message) for i in DepartmentIssue.objects.filter(batch=batch)]
    assert (
        3,
        "证件号码",
        f"身份证号码校验位错误：最后一位应为“{GOOD_ID[17]}”，实际为“{bad_check[17]}”",
    ) in issues
    assert (4, "证件号码", "身份证号码应为 18 位，实际 14 位") in issues
    assert (5, "金额", "金额“一百元”不是数字") in issues
    assert (6, "金额", "金额不能为负数（-5）") in issues
    assert (7, "金额", "金额 200000000 元超过 1 亿元，不合理") in issues
    assert (8, "救助类型", "救助类型“五保”应为 低保、特困、临时救助 之一") in issues
    assert (9, "证件号码", "证件号码为空") in issues and (9, "金额", "金额为空") in issues
    kept = pq.read_table(records_path(batch)).to_pylist()
    assert [(r["row"], r["name"], r["amount"], r["category"], r["status"]) for r in kept] == [
        (2, "张三", 360000, "低保", "新增")
    ]
    assert kept[0]["id_key"] == identity.registry_key(GOOD_ID)
    assert not Path(batch.file_path).exists()  # the uploaded file itself is not kept


def test_the_same_file_twice_is_refused_naming_the_earlier_batch(tmp_path):
    path = write_csv(tmp_path, "cj.csv", HEADERS["disability"], [[GOOD_ID, "张三", "二级", "新办"]])
    first = load(path, "disability", match=False)
    copy = tmp_path / "残联10月（重发）.csv"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(ApplicationError) as refused:
        department_batch_create(
            actor="测试",
            source="disability",
            path=copy,
            file_name=copy.name,
            area_code="140321",
            year=2025,
            month=11,
        )
    assert f"已导入过：第 {first.pk} 批（残联，cj.csv，2025-10），不能重复导入" in refused.value.message
    assert DepartmentBatch.objects.count() == 1


@pytest.mark.parametrize("kind", ["utf-8", "gb18030", "xlsx", "parquet"])
def test_csv_xlsx_and_parquet_are_read_alike(tmp_path, kind):
    h = household("H1")
    member = h.members.first()
    rows = [[member.id_number, member.name, "C"], [GOOD_ID, "不在档案", "D"]]
    if kind in ("utf-8", "gb18030"):
        path = write_csv(tmp_path, "zj.csv", HEADERS["housing"], rows, encoding=kind)
    elif kind == "xlsx":
        path = write_xlsx(tmp_path, "zj.xlsx", HEADERS["housing"], rows)
    else:
        path = write_parquet(tmp_path, "zj.parquet", HEADERS["housing"], rows)
    batch = load(path, "housing")
    assert (batch.counts["kept"], batch.counts["matched"], batch.counts["unmatched"]) == (2, 1, 1)
    assert batch.counts["leads"] == 1


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ApplicationError, match="无法读取文件“bad.xlsx”"):
        department_batch_create(
            actor="测试",
            source="housing",
            path=path,
            file_name=path.name,
            area_code="140321",
            year=2025,
            month=10,
        )
    assert not DepartmentBatch.objects.exists()


def test_docs_document_every_sources_columns():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[5] / "docs" / "departments.md").read_text(encoding="utf-8")
    for fmt in FORMATS.values():
        section = text.split(f"### {fmt.label}（`{fmt.source}`）", 1)[1].split("### ", 1)[0]
        for column in fmt.columns:
            assert f"| {column.name} |" in section, (fmt.source, column.name)
        assert fmt.rule in section

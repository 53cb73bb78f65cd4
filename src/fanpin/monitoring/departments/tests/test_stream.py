"""The streaming loader: the column-speed fast path keeps or refuses a row exactly as the row rules
(parse_row) would, with the same values; a file read in many small chunks gives the same batch as in
one; a load that fails keeps nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fanpin.core.jobs import job_run_now
from fanpin.monitoring.departments import stream
from fanpin.monitoring.departments.formats import FORMATS
from fanpin.monitoring.departments.load import department_batch_create
from fanpin.monitoring.departments.match import records_path
from fanpin.monitoring.departments.parse import Issue, parse_row
from fanpin.monitoring.departments.tests.files import HEADERS, load, write_csv, write_parquet
from fanpin.monitoring.departments.validate import VALUE_COLUMNS, ChunkValidator
from fanpin.monitoring.models import DepartmentBatch, DepartmentIssue
from fanpin.monitoring.tests.world import policy_2025
from fanpin.registry import idnumber

GOOD = idnumber.make("140321", date(1980, 5, 6), 11)
GOOD_X = next(
    n for n in (idnumber.make("140321", date(1969, 3, 3), s) for s in range(1000)) if n.endswith("X")
)
IDS = [
    GOOD,
    GOOD_X,
    GOOD_X.lower(),
    f" {GOOD}",  # spaces around: Python strips, the fast path leaves it to Python
    f"{GOOD[:6]} {GOOD[6:]}",  # a space inside
    "\u3000" + GOOD,  # full-width space
    GOOD.replace("1", "１", 1),  # a full-width digit
    GOOD[:17] + ("0" if GOOD[17] != "0" else "1"),  # wrong check character
    GOOD[:15],
    "99" + GOOD[2:],  # no such province
    GOOD[:6] + "19800231" + GOOD[14:],  # no such date
    GOOD[:6] + "21000101" + GOOD[14:],  # born in the future
    "",
]
AMOUNTS = [
    "",
    "0",
    "12",
    "12.5",
    "12.345",
    "12.005",
    "1,234.56",
    "１２",
    "-5",
    "1e3",
    "100000000",
    "100000000.01",
    "300000000",
    "一百",
    " 7 ",
    "0012.10",
    "12.",
    ".5",
    "1_000",
    "12.3456789",
]
YEARS = ["", "2025", "2025年", "1999", "2101", "25", "02025", "２０２５", " 2025"]
MONTHS = [
    "",
    "2025-03",
    "202503",
    "2025/3",
    "2025年3月",
    "2025-03-15",
    "2025-13",
    "2025-00",
    "3月",
    "2025.03.01",
    "20253",
]
NAMES = ["张三", "", " 李四", "王五 ", "\u3000", "赵\u3000六"]


def _rows(source: str) -> list[list[str]]:
    """Every combination worth trying for the source's columns (cells as a department would type them)."""
    header = HEADERS[source]
    rows = []
    for i, raw_id in enumerate(IDS):
        for j, name in enumerate(NAMES):
            row = {"证件号码": raw_id, "姓名": name}
            for k, column in enumerate(header[2:]):
                fmt = next(c for c in FORMATS[source].columns if c.name == column)
                pick = i * 7 + j * 3 + k
                if fmt.kind == "amount":
                    row[column] = AMOUNTS[pick % len(AMOUNTS)]
                elif fmt.kind == "year":
                    row[column] = YEARS[pick % len(YEARS)]
                elif fmt.kind == "month":
                    row[column] = MONTHS[pick % len(MONTHS)]
                elif fmt.kind == "choice":
                    options = [*fmt.choices, "", "其他", f" {fmt.choices[0]}"]
                    row[column] = options[pick % len(options)]
                else:
                    row[column] = ["", "洪涝", " 干旱 ", "企业反映欠薪"][pick % 4]
            rows.append([row[h] for h in header])
    return rows


@pytest.mark.parametrize("source", sorted(FORMATS))
def test_the_fast_path_decides_every_row_as_the_row_rules_do(source):
    header = (
        HEADERS[source]
        if source != "medical"
        else ["证件号码", "姓名", "年度", "结算月份", "个人自付金额", "医疗总费用"]
    )
    rows = (
        _rows(source)
        if source != "medical"
        else [r[:2] + [YEARS[i % 9], MONTHS[i % 11]] + r[3:] for i, r in enumerate(_rows(source))]
    )
    fmt = FORMATS[source]
    table = pa.table({h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)})
    result = ChunkValidator(fmt, header, header).validate(2, table)
    fast = {r["row"]: r for r in result.valid.to_pylist()}
    expected_kept, expected_issues = {}, []
    for number, cells in enumerate(rows, start=2):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue  # a blank row is skipped, as the reader always did
        for item in parse_row(number, cells, header, fmt):
            if isinstance(item, Issue):
                expected_issues.append((item.row, item.column, item.message))
            else:
                expected_kept[number] = {
                    "row": number,
                    "id_number": item.id_number,
                    "name": item.name,
                    **{k: item.values.get(k) for k in VALUE_COLUMNS},
                }
    assert fast == expected_kept
    assert [(i.row, i.column, i.message) for i in result.issues] == expected_issues
    assert 0 < len(fast) < len(rows)  # the cases cover both outcomes


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "gb18030", "parquet"])
def test_a_file_read_in_small_chunks_gives_the_same_batch(tmp_path, monkeypatch, kind):
    policy_2025()
    rows = [
        [
            idnumber.make("140321", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i % 1000),
            f"人{i}",
            "2025",
            f"{i}.5" if i % 97 else "-1",
            "100",
        ]
        for i in range(3000)
    ]
    rows[1500][0] = "坏号码"
    header = HEADERS["medical"]

    def write(name):
        if kind == "parquet":
            return write_parquet(tmp_path, f"{name}.parquet", header, rows)
        return write_csv(
            tmp_path, f"{name}.csv", header, rows, encoding="gb18030" if kind == "gb18030" else "utf-8"
        )

    whole = load(write("whole"), "medical", match=False)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 128)
    monkeypatch.setattr(stream, "CSV_BLOCK", 4096)
    DepartmentBatch.objects.update(sha256="x")  # the same content again, on purpose
    pieces = load(write("pieces"), "medical", match=False)
    assert pieces.counts == whole.counts and whole.counts["rows"] == 3000
    assert whole.counts["bad_rows"] == 1 + len([i for i in range(3000) if i % 97 == 0])
    a = pq.read_table(records_path(whole)).sort_by("row")
    b = pq.read_table(records_path(pieces)).sort_by("row")
    assert a.equals(b) and a.column("row").to_pylist()[:3] == [3, 4, 5]  # row 2 (i = 0) has −1
    issues = list(DepartmentIssue.objects.filter(batch=pieces).values_list("row", "column"))
    assert (1502, "证件号码") in issues and (2, "个人自付金额") in issues


@pytest.mark.django_db
def test_a_load_that_fails_half_way_keeps_nothing(tmp_path, monkeypatch):
    policy_2025()
    rows = [[GOOD, "张三", "C"]] * 1000
    path = write_csv(tmp_path, "zj.csv", HEADERS["housing"], rows)
    monkeypatch.setattr(stream, "CSV_BLOCK", 1024)
    batch, job = department_batch_create(
        actor="测试",
        source="housing",
        path=path,
        file_name=path.name,
        area_code="140321",
        year=2025,
        month=10,
    )
    folder = Path(batch.file_path).parent
    calls = {"n": 0}
    real = stream._csv_chunks

    def failing(s):
        for item in real(s):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("磁盘已满")
            yield item

    monkeypatch.setitem(stream.READERS, ".csv", failing)
    job = job_run_now(job)
    batch.refresh_from_db()
    assert job.status == "failed" and batch.status == "failed" and "磁盘已满" in batch.message
    assert not any(folder.iterdir())  # neither the rows so far nor the uploaded file
    assert not DepartmentIssue.objects.filter(batch=batch).exists()

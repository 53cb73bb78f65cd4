"""Property-based tests of the import (hypothesis): whatever file a person uploads — random bytes, a
damaged .xlsx, cells of the wrong type, formulas, huge or control-character text, absurd amounts, dates
in the future, CSV in an unexpected encoding — the import ends with a clear Chinese message or a list
of issues by row and column, never an internal error, and the registry only changes by households the
file got right."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from fanpin.core.errors import ApplicationError
from fanpin.core.models.job import JobStatus
from fanpin.registry.models import Household, ImportBatch, Member
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.tests.national_files import merge, parse, standard_rows, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
INTERNAL = "内部错误"


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def clean_registry() -> None:
    Member.objects.all().delete()
    Household.objects.all().delete()


def assert_clear_outcome(batch: ImportBatch, job) -> None:
    """The job ended; a failure says in Chinese what is wrong; no internal error anywhere."""
    assert job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    assert INTERNAL not in (job.error or "") and INTERNAL not in (job.log or "")
    if job.status == JobStatus.FAILED:
        assert has_chinese(job.error), job.error
        assert batch.status == "refused"
    else:
        assert batch.status == "review"


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_called_xlsx_are_refused_clearly(county_user, fanpin_home, content):
    path = fanpin_home / "上传.xlsx"
    path.write_bytes(content)
    batch, job = parse(county_user, path)
    assert_clear_outcome(batch, job)
    assert not Household.objects.exists()


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("good") / "good.xlsx"
    write_xlsx(path, standard_rows())
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_a_damaged_xlsx_is_refused_clearly_and_changes_nothing(county_user, fanpin_home, good_xlsx, data):
    clean_registry()
    content = bytearray(good_xlsx)
    how = data.draw(st.sampled_from(["truncate", "flip", "drop-sheet"]))
    if how == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            i = data.draw(st.integers(0, len(content) - 1))
            content[i] ^= data.draw(st.integers(1, 255))
    else:  # a valid zip without the worksheet
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(bytes(content))) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                if "worksheets/" not in item.filename:
                    dst.writestr(item, src.read(item.filename))
        content = bytearray(out.getvalue())
    path = fanpin_home / "损坏.xlsx"
    path.write_bytes(bytes(content))
    batch, job = parse(county_user, path)
    assert_clear_outcome(batch, job)
    if job.status == JobStatus.SUCCEEDED:  # a flip the zip survived: whatever was read is reviewed first
        try:
            merge(county_user, batch, "valid")
        except ApplicationError as exc:
            assert has_chinese(exc.message)
    households = set(Household.objects.values_list("code", flat=True))
    assert households <= {r["户编号"] for r in standard_rows()}


ODD_VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=5000),  # over-long text
    st.sampled_from(
        [
            "\x00\x01\x1f",
            "=1+1",
            '=HYPERLINK("http://x")',
            "-99999999999",
            "1e308",
            "NaN",
            "20991231",
            "209912",
            "00000000",
            "   ",
            "是否",
            "１２３",
        ]
    ),  # fmt: skip
    st.integers(min_value=-(10**15), max_value=10**15),  # typed numbers
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),  # typed dates
    st.booleans(),
)


@FUZZ
@given(data=st.data())
def test_odd_cells_become_issues_by_row_and_column_never_internal_errors(county_user, fanpin_home, data):
    clean_registry()
    rows = standard_rows()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["（自定义）监测对象信息"])
    sheet.append(["导出单位：平定县"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h, "") or None for h in HEADERS])
    changed = data.draw(
        st.lists(
            st.tuples(st.integers(4, 3 + len(rows)), st.sampled_from(HEADERS), ODD_VALUES),
            min_size=1,
            max_size=8,
        )
    )
    for excel_row, header, value in changed:
        cell = sheet.cell(row=excel_row, column=HEADERS.index(header) + 1)
        if isinstance(value, str):
            value = (
                "".join(ch for ch in value if ch >= " " or ch in "\t\n") or value
            )  # Excel refuses C0 codes
        try:
            cell.value = value
        except (ValueError, TypeError, IllegalCharacterError):  # Excel itself cannot hold it
            assume(False)
    path = fanpin_home / "怪单元格.xlsx"
    try:
        book.save(path)
    except (ValueError, TypeError):
        assume(False)
    batch, job = parse(county_user, path)
    assert_clear_outcome(batch, job)
    if job.status != JobStatus.SUCCEEDED:
        return
    for issue in batch.issues.all():
        assert has_chinese(issue.message)
    errors = batch.issues.filter(level="error").exclude(household_code="")
    bad = set(errors.values_list("household_code", flat=True))
    try:
        merge(county_user, batch, "valid")
    except ApplicationError as exc:  # e.g. no household without errors: said plainly, nothing written
        assert has_chinese(exc.message)
        assert not Household.objects.exists()
        return
    merged = set(Household.objects.values_list("code", flat=True))
    assert not (merged & bad), "a household with an error was imported"
    for household in Household.objects.all():  # what went in is within the model's rules
        household.full_clean(exclude=["village"])


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "big5", "shift_jis", "cp1252"]


@FUZZ
@given(st.sampled_from(ENCODINGS))
def test_csv_in_any_encoding_is_read_or_refused_clearly(county_user, fanpin_home, encoding):
    clean_registry()
    path = fanpin_home / f"编码-{encoding}.csv"
    try:
        write_csv(path, standard_rows(), encoding=encoding)
    except UnicodeEncodeError:  # the encoding cannot hold these Chinese names: write what a tool would
        utf8 = write_csv(fanpin_home / "u.csv", standard_rows()).read_text("utf-8")
        path.write_bytes(utf8.encode(encoding, errors="replace"))
    batch, job = parse(county_user, path)
    assert_clear_outcome(batch, job)
    if encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk"):
        assert job.status == JobStatus.SUCCEEDED and batch.error_count == 0, (job.error, encoding)
        merge(county_user, batch, "all")
        assert Household.objects.count() == 3
        assert set(Member.objects.values_list("name", flat=True)) >= {"王建国", "张桂兰", "刘福"}

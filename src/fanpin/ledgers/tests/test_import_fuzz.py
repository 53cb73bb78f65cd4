"""Damaged files never crash the ledger import: every one ends as a clear Chinese message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanpin.core.errors import ApplicationError
from fanpin.ledgers.framework.definition import get_ledger
from fanpin.ledgers.framework.importing import parse_file
from fanpin.ledgers.tests.files import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "ok.xlsx"
    headers = ["区划代码", "销售日期（截至）", "销售渠道", "产品", "销售金额（元）"]
    write_xlsx(path, headers, [["140321", "2025-06-30", "订单销售", f"产品{i}", 100 + i] for i in range(50)])
    return path.read_bytes()


def _check(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    try:
        result = parse_file(get_ledger("consumption"), path, user=None)
    except ApplicationError as exc:
        assert "无法读取文件" in exc.message or "行" in exc.message
    else:
        assert all(i.message for i in result.issues)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000), flips=st.lists(st.integers(min_value=0), max_size=8))
def test_truncated_or_damaged_xlsx(tmp_path, sample, cut, flips):
    data = bytearray(sample[: max(1, len(sample) - cut)])
    for f in flips:
        data[f % len(data)] ^= 0xA5
    _check(tmp_path, bytes(data))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path, data):
    _check(tmp_path, data)


def test_odd_cell_types_become_messages(tmp_path):
    """Times, durations, booleans and formulas where dates and amounts belong: errors by row and column."""
    import datetime

    import xlsxwriter

    path = tmp_path / "odd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["区划代码", "销售日期（截至）", "销售渠道", "产品", "销售金额（元）"])
    time_format = book.add_format({"num_format": "hh:mm"})
    ws.write_number(1, 0, 140321)
    ws.write_datetime(1, 1, datetime.time(10, 30), time_format)
    ws.write_string(1, 2, "订单销售")
    ws.write_boolean(1, 3, True)
    ws.write_formula(1, 4, "=1/0")
    book.close()
    result = parse_file(get_ledger("consumption"), path, user=None)
    columns = {i.column for i in result.issues if i.row == 2}
    assert {"销售日期（截至）", "销售金额（元）"} <= columns

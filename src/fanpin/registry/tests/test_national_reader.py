"""The streaming .xlsx reader: a sheet read piece by piece (in this process, or in worker processes)
gives exactly the cells, row numbers and header that reading the whole sheet with calamine gives."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from fanpin.core.errors import ApplicationError
from fanpin.registry.national import reader
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.national.reader import SheetRows, cell_text

WIDTH = 12


def cell(r: int, c: int):
    """A mix of what clerks' files hold: text, padded text, numbers, dates, booleans, empty cells."""
    kind = (r * 7 + c * 3) % 11
    if kind == 0:
        return ""
    if kind == 1:
        return f"  文字{r}-{c} "
    if kind == 2:
        return float(r * 100 + c)  # an integer typed as a number
    if kind == 3:
        return r + c / 4  # 2.25 etc.
    if kind == 4:
        return datetime(1990, 1, 1 + r % 28)
    if kind == 5:
        return r % 2 == 0
    if kind == 6:
        return "\u3000全角空格\u3000"
    if kind == 7:
        return "140321" + str(r).zfill(12)
    return f"值{(r * c) % 17}"  # few distinct values


def rows_of(n: int) -> list[list]:
    out = []
    for r in range(n):
        if r % 97 == 5:
            out.append([])  # a blank row
        elif r % 89 == 7:
            out.append(["  ", "", " "])  # blank once stripped
        else:
            out.append([cell(r, c) for c in range(WIDTH)])
    return out


def write_xlsxwriter(path: Path, rows: list[list], first_col: int = 0) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("监测对象信息")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, first_col, "（自定义）监测对象信息")
    for c, h in enumerate(["户编号"] + [f"列{i}" for i in range(1, WIDTH)]):
        ws.write_string(2, first_col + c, h)
    for r, values in enumerate(rows, start=3):
        for c, v in enumerate(values):
            if isinstance(v, bool):
                ws.write_boolean(r, first_col + c, v)
            elif isinstance(v, datetime):
                ws.write_datetime(r, first_col + c, v, dates)
            elif isinstance(v, int | float):
                ws.write_number(r, first_col + c, v)
            elif v != "":
                ws.write_string(r, first_col + c, v)
    book.close()
    return path


def write_openpyxl(path: Path, rows: list[list]) -> Path:
    """Shared strings (sharedStrings.xml), as Excel and openpyxl write them."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["（自定义）监测对象信息"])
    ws.append([])
    ws.append(["户编号"] + [f"列{i}" for i in range(1, WIDTH)])
    for values in rows:
        ws.append([v if v != "" else None for v in values])
    book.save(path)
    return path


def whole_sheet(path: Path) -> tuple[list[str], int, list[tuple[int, dict]]]:
    """The reference: the whole sheet through calamine, cell by cell, as the reader always did."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = [[cell_text(v) for v in values] for values in sheet.iter_rows()]
    at = next(i for i, r in enumerate(rows[:10]) if "户编号" in r)
    header = list(rows[at])
    while header and not header[-1]:
        header.pop()
    out = []
    for number, values in enumerate(rows[at + 1 :], start=at + 2):
        if any(values):
            out.append((number, dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))))
    return header, at + 1, out


def read(path: Path) -> tuple[list[str], int, list[tuple[int, dict]]]:
    sheet = SheetRows(path)
    rows = [(n, dict(zip(sheet.header, v, strict=False))) for n, v in sheet.rows()]
    return sheet.header, sheet.header_row, rows


@pytest.mark.parametrize("piece_bytes", [1 << 30, 16 << 10], ids=["one piece", "many pieces (workers)"])
@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_pieces_give_the_cells_of_the_whole_sheet(monkeypatch, tmp_path, piece_bytes, writer):
    monkeypatch.setattr(reader, "PIECE_BYTES", piece_bytes)
    parallel = []
    original = SheetRows._parallel_blocks
    monkeypatch.setattr(
        SheetRows, "_parallel_blocks", lambda self, *a: parallel.append(1) or original(self, *a)
    )
    rows = rows_of(1500)
    path = tmp_path / "f.xlsx"
    (write_xlsxwriter if writer == "xlsxwriter" else write_openpyxl)(path, rows)

    header, header_row, expected = whole_sheet(path)
    got_header, got_header_row, got = read(path)

    assert bool(parallel) == (piece_bytes < 1 << 20)

    assert (
        (got_header, got_header_row)
        == (header, header_row)
        == (["户编号"] + [f"列{i}" for i in range(1, WIDTH)], 3)
    )
    assert len(got) == len(expected) > 1400
    assert got == expected
    numbers = [n for n, _ in got]
    assert numbers == sorted(numbers) and numbers[0] == 4


def test_pieces_give_the_cells_of_the_whole_sheet_on_a_parse_of_many_blocks(monkeypatch, tmp_path):
    """Blocks are column-major, with few-valued columns coded; rows() puts them back together."""
    monkeypatch.setattr(reader, "PIECE_BYTES", 64 << 10)
    path = write_xlsxwriter(tmp_path / "f.xlsx", rows_of(3000))
    sheet = SheetRows(path)
    blocks = list(sheet.blocks())
    assert len(blocks) > 3
    assert any(isinstance(c, reader.Coded) for b in blocks for c in b.columns)
    cells = [
        (n, dict(zip(sheet.header, values, strict=False)))
        for b in blocks
        for n, values in zip(b.numbers, zip(*[reader.texts(c) for c in b.columns], strict=True), strict=True)
    ]
    assert cells == whole_sheet(path)[2]


def test_a_sheet_starting_in_column_b_keeps_cells_under_their_headers(monkeypatch, tmp_path):
    monkeypatch.setattr(reader, "PIECE_BYTES", 32 << 10)
    path = write_xlsxwriter(tmp_path / "f.xlsx", rows_of(400), first_col=1)
    _header, _row, expected = whole_sheet(path)
    header, _row, got = read(path)
    assert header[0] == "" and header[1] == "户编号"
    assert [(n, {k: v for k, v in r.items() if k}) for n, r in got] == [
        (n, {k: v for k, v in r.items() if k}) for n, r in expected
    ]


def test_a_truncated_sheet_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(reader, "PIECE_BYTES", 32 << 10)
    good = write_xlsxwriter(tmp_path / "good.xlsx", rows_of(600))
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) * 2 // 3]
            dst.writestr(info, data)
    with pytest.raises(ApplicationError, match="Excel 文件"):
        list(SheetRows(bad).rows())


def test_the_national_header_is_found_after_the_title_rows(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "n.xlsx"), {"constant_memory": True})
    ws = book.add_worksheet()
    ws.write_string(0, 0, "（自定义）监测对象信息")
    ws.write_string(1, 0, "导出时间：2025-12-31")
    for c, h in enumerate(HEADERS):
        ws.write_string(2, c, h)
    ws.write_string(3, 3, "1403212012490001")
    book.close()
    sheet = SheetRows(tmp_path / "n.xlsx")
    assert sheet.header == HEADERS and sheet.header_row == 3
    assert [(n, v[3]) for n, v in sheet.rows()] == [(4, "1403212012490001")]


def test_cell_text_of_calamine_values():
    assert cell_text(None) == ""
    assert cell_text(True) == "是" and cell_text(False) == "否"
    assert cell_text(140321.0) == "140321" and cell_text(2.5) == "2.5"
    assert cell_text(date(1968, 3, 15)) == "19680315"
    assert cell_text("  王建国\u3000") == "王建国"

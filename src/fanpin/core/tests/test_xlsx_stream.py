"""core.xlsx_stream: a streamed one-sheet .xlsx that Excel's readers open — openpyxl, python-calamine
(our importer) — with text cells, escaping done right, bounded shared strings, no file left on error."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from fanpin.core.xlsx_stream import HEADER, TITLE, XlsxStream, cell_inline, xml_text

TRICKY = [
    "普通文字",
    "140321197204031300",  # an ID: stays text
    "0012",  # leading zeros
    "a & b < c > d \"e\" 'f'",
    "  leading and trailing  ",
    "tab\tinside",
    "line\nbreak",
    "carriage\r\nreturn",
    "control\x01\x08\x0b\x1fchars",
    "_x0041_ looks like an escape",
    "_x005F_ too",
    "emoji 😀 and 𠀀",
    "=1+1",  # not a formula
    "1E5",
]


def write(path, rows, **kw):
    with XlsxStream(path, sheet_name="测试", widths=[12, 12, 20], **kw) as sheet:
        sheet.write_row(["标题"], TITLE)
        sheet.write_row(["列1", "列2", "列3"], HEADER)
        for row in rows:
            sheet.write_row(row, shared=True)
        return sheet.rows


def calamine_rows(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_tricky_text_reads_back_exactly_with_calamine(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [[value, "", value] for value in TRICKY]
    assert write(path, rows) == len(rows) + 2

    got = calamine_rows(path)
    assert got[0][0] == "标题" and got[1] == ["列1", "列2", "列3"]
    for value, row in zip(TRICKY, got[2:], strict=True):
        # calamine decodes Excel's _xHHHH_ escapes, as Excel does; CR LF stays as written
        assert row == [value, "", value], (value, row)


def test_openpyxl_sees_text_cells_in_text_format(tmp_path):
    path = tmp_path / "t.xlsx"
    plain = [v for v in TRICKY if "_x" not in v and not any(ord(c) < 32 and c not in "\t\n\r" for c in v)]
    write(path, [[v, None, v] for v in plain])

    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "测试"
    assert sheet["A1"].font.b and sheet["A2"].font.b and sheet["A2"].fill.fgColor.rgb == "FFE8EEF7"
    for r, value in enumerate(plain, start=3):
        a, b, c = sheet.cell(r, 1), sheet.cell(r, 2), sheet.cell(r, 3)
        assert (a.value, b.value, c.value) == (value, None, value)
        assert a.data_type == "s" and a.number_format == "@"
        assert b.number_format == "@"  # typing an ID into an empty cell keeps it text


def test_shared_strings_are_capped_and_values_still_right(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [[f"值{i % 7}", f"唯一{i}", "是"] for i in range(500)]
    write(path, rows, max_shared=5)

    with zipfile.ZipFile(path) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sst.count("<si>") == 5
    assert 'uniqueCount="5"' in sst
    assert 't="inlineStr"' in sheet
    assert calamine_rows(path)[2:] == rows
    sheet = openpyxl.load_workbook(path, read_only=True).active
    assert [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)] == rows


def test_many_rows_stream_through_the_compressing_thread(tmp_path):
    path = tmp_path / "big.xlsx"
    row = "".join(cell_inline(v).decode() for v in ["甲" * 30, "乙", "12345.67"])
    with XlsxStream(path, widths=[10] * 3, compresslevel=3) as sheet:
        for _ in range(40_000):
            sheet.write_raw(("<row>" + row + "</row>").encode())
    got = calamine_rows(path)
    assert len(got) == 40_000 and got[-1] == ["甲" * 30, "乙", "12345.67"]


def test_an_error_leaves_no_file(tmp_path):
    path = tmp_path / "broken.xlsx"
    with pytest.raises(RuntimeError), XlsxStream(path) as sheet:
        sheet.write_row(["a"])
        raise RuntimeError("stop")
    assert not path.exists()


def test_xml_text():
    assert xml_text("a&b") == ("a&amp;b", False)
    assert xml_text(" a") == (" a", True)
    assert xml_text("x\x01") == ("x_x0001_", False)
    assert xml_text("_x0041_") == ("_x005F_x0041_", False)
    assert xml_text("\ud800") == ("\ufffd", False)
    assert cell_inline("") == b"<c/>"

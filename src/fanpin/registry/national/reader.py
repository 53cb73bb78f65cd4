"""Read a national-format file (.xlsx, or .csv in UTF-8 / GB18030) as text cells, row by row.

The header row is found within the first rows (the export has two title rows before it). Every cell
comes back as a string: numbers stored as numbers (an ID typed into Excel, say) are turned back into
their digits, dates into YYYYMMDD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from fanpin.core.csvfiles import decode_text
from fanpin.core.errors import ApplicationError

HEADER_MARKER = "户编号"
HEADER_SEARCH_ROWS = 10


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


class SheetRows:
    """header: list of column names; rows(): (excel_row_number, [cell text, ...]) after the header."""

    def __init__(self, path: Path | str, *, name: str | None = None, header_marker: str = HEADER_MARKER):
        self.header_marker = header_marker
        self.path = Path(path)
        self.name = name or self.path.name
        self.header: list[str] = []
        self.header_row = 0
        self.total_rows: int | None = None
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            self._iter = self._csv_rows()
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            self._iter = self._xlsx_rows()
        else:
            raise ApplicationError(f"文件“{self.name}”的格式不支持：请上传 .xlsx 或 .csv 文件。")
        self._find_header()

    def _csv_rows(self) -> Iterator[list[str]]:
        text = decode_text(self.path.read_bytes(), name=self.name)
        self.total_rows = text.count("\n") + 1
        for values in csv.reader(io.StringIO(text)):
            yield [v.strip() for v in values]

    def _xlsx_rows(self) -> Iterator[list[str]]:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(self.path))
            sheet = book.get_sheet_by_index(0)
        except Exception as exc:  # noqa: BLE001 — any unreadable file gets the same clear message
            raise ApplicationError(
                f"无法读取 Excel 文件“{self.name}”：文件已损坏或不是 .xlsx 格式（{exc.__class__.__name__}）。"
                "请用 Excel 打开后另存为 .xlsx 再上传。"
            ) from None
        self.total_rows = sheet.total_height
        for values in sheet.iter_rows():
            yield [cell_text(v) for v in values]

    def _find_header(self) -> None:
        for number in range(1, HEADER_SEARCH_ROWS + 1):
            try:
                values = next(self._iter)
            except StopIteration:
                break
            if self.header_marker in values:
                while values and not values[-1]:
                    values.pop()
                self.header = values
                self.header_row = number
                return
        raise ApplicationError(
            f"文件“{self.name}”的前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应含“{self.header_marker}”列）。"
            + (
                "请上传国家系统导出的《（自定义）监测对象信息》原文件。"
                if self.header_marker == HEADER_MARKER
                else "请使用收入模板。"
            )
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        number = self.header_row
        width = len(self.header)
        for values in self._iter:
            number += 1
            if not any(values):
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield number, values

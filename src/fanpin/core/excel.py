"""Excel output: xlsxwriter in constant-memory mode, a bold frozen header row, sane widths."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(
    *, sheet: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] | None = None
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, (widths[col] if widths else max(10, len(title) * 2 + 2)))
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def xlsx_response(
    *, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence], widths=None
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(sheet=sheet, headers=headers, rows=rows, widths=widths), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

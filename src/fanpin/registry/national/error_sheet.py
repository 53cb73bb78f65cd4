"""The review sheet: every error and warning of an import by row and column, as .xlsx."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from fanpin.core.masking import mask_cell
from fanpin.registry.models import ImportBatch, ImportIssue

HEADERS = ["级别", "行号", "列", "内容", "说明", "户编号"]


def write_error_sheet(batch: ImportBatch, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("错误与提示")
    bold = book.add_format({"bold": True, "bg_color": "#FCE4E4", "border": 1})
    for col, (title, width) in enumerate(zip(HEADERS, [6, 8, 24, 24, 70, 22], strict=True)):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    labels = dict(ImportIssue.Level.choices)
    rows = (
        ImportIssue.objects.filter(batch=batch)
        .order_by("row", "id")
        .values_list("level", "row", "column", "value", "message", "household_code")
        .iterator(chunk_size=5000)
    )
    for r, (level, row, column, value, message, household) in enumerate(rows, start=1):
        ws.write_string(r, 0, labels.get(level, level))
        if row is not None:
            ws.write_number(r, 1, row)
        ws.write_string(r, 2, column)
        ws.write_string(r, 3, mask_cell(value, column))  # personal data masked, as on the page
        ws.write_string(r, 4, message)
        ws.write_string(r, 5, household)
    book.close()
    return path

from __future__ import annotations

import io

import xlsxwriter


def campaign_xlsx(campaign, progress) -> bytes:
    """The campaign's progress as a sheet: the same figures and percentages as the page."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("进度")
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    ws.write_string(
        0, 0, f"{campaign.name}（{campaign.area.name}，{campaign.start_on} 至 {campaign.end_on}）", title
    )
    headers = [
        "指标",
        "目标名称",
        "区划",
        "期间",
        "实际完成",
        "目标",
        "完成目标",
        "上年同期",
        "同比（为上年同期的）",
    ]
    ws.write_row(2, 0, headers, bold)
    widths = [22, 12, 14, 24, 20, 20, 12, 20, 16]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    for r, p in enumerate(progress, start=3):
        t = p.target
        ws.write_row(
            r,
            0,
            [
                p.label,
                t.label,
                t.area.name,
                f"{t.start_on} 至 {t.end_on}",
                p.actual_text,
                p.target_text,
                p.of_target_text,
                p.last_year_text if t.compare_last_year else "—",
                p.of_last_year_text if t.compare_last_year else "—",
            ],
        )
    book.close()
    return buffer.getvalue()

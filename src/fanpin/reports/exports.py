"""The area report as .xlsx (xlsxwriter) and as a PDF monthly report (WeasyPrint, Noto CJK fonts).

Both take every figure from the same `AreaReport` the page shows."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string

from fanpin.reports import svg
from fanpin.reports.indicators import INDICATORS, available, groups, pending
from fanpin.reports.report import AreaReport, plain


def _header(d) -> str:
    return f"{d.name}（{d.unit}）"


def report_xlsx(report: AreaReport) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    formats = {
        0: book.add_format({"num_format": "#,##0"}),
        1: book.add_format({"num_format": "#,##0.0"}),
        2: book.add_format({"num_format": "#,##0.00"}),
    }
    d = report.division

    ws = book.add_worksheet("下级区划")
    ws.write_string(0, 0, f"{d.full_name} {report.month_label} 各下级区划指标（数据来源：指标汇总）", title)
    columns = report.columns()
    ws.write_row(2, 0, ["区划代码", "名称"] + [_header(c) for c in columns], bold)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 1 + len(columns), 12)
    ws.set_row(2, 45)
    ws.freeze_panes(3, 2)
    r = 3
    for node, values in report.rows():
        ws.write_string(r, 0, node.code)
        ws.write_string(r, 1, node.name)
        for c, (definition, (_key, value)) in enumerate(zip(columns, values, strict=True), start=2):
            if value is not None:
                ws.write_number(r, c, plain(value), formats[definition.decimals])
        r += 1
    ws.write_string(r, 0, d.code, bold)
    ws.write_string(r, 1, f"{d.name}（合计）", bold)
    for c, (definition, (_key, value)) in enumerate(zip(columns, report.total(), strict=True), start=2):
        if value is not None:
            ws.write_number(r, c, plain(value), formats[definition.decimals])

    ws = book.add_worksheet("全部指标")
    ws.write_string(0, 0, f"{d.full_name} {report.month_label} 全部指标", title)
    ws.write_row(2, 0, ["分组", "指标", "单位", "数值", "口径"], bold)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 3, 10)
    ws.set_column(4, 4, 70)
    r = 3
    for definition in available():
        value = report.values.get(definition.key)
        ws.write_string(r, 0, definition.group)
        ws.write_string(r, 1, definition.name)
        ws.write_string(r, 2, definition.unit)
        if value is not None:
            ws.write_number(r, 3, plain(value), formats[definition.decimals])
        ws.write_string(r, 4, definition.description)
        r += 1
    for definition in pending():
        ws.write_row(
            r, 0, [definition.group, definition.name, definition.unit, "待接入", definition.description]
        )
        r += 1
    book.close()
    return buffer.getvalue()


def _overdue(report: AreaReport, user: Any) -> list[dict] | None:
    """Cases overdue at the month's end (None when the casework app is not installed)."""
    from django.apps import apps

    if not apps.is_installed("fanpin.casework"):
        return None
    from fanpin.reports.sources.casework import month_bounds, overdue_cases

    _start, end = month_bounds(report.year, report.month)
    rows = []
    for case in overdue_cases(
        user=user, area_code=report.division.code, year=report.year, month=report.month
    ):
        due = min(d for d in (case.due_on, case.step_due_on) if d is not None and d < end)
        rows.append({"case": case, "due": due, "days": (end - due).days})
    return rows


def report_pdf(report: AreaReport, *, user: Any = None) -> bytes:
    """The monthly report (月报): headline figures, the children table, charts drawn here as SVG."""
    from weasyprint import HTML

    from fanpin.reports.report import TREND_KEYS
    from fanpin.reports.selectors import trend

    children = report.children
    series = trend(user=user, area_code=report.division.code, keys=TREND_KEYS)
    context = {
        "trend_svg": svg.line_chart(
            series["months"],
            [(INDICATORS[k].name, [plain(v) for v in series[k]]) for k in TREND_KEYS],
            title="近 12 个月趋势",
        ),
        "report": report,
        "groups": [
            (name, [(d, report.values.get(d.key)) for d in defs if d.available])
            for name, defs in groups()
            if any(d.available for d in defs)
        ],
        "pending": pending(),
        "overdue": _overdue(report, user),
        "bar_svg": svg.bar_chart(
            [(n.name, plain(n.value("monitored_households"))) for n in children],
            title=f"各下级区划{INDICATORS['monitored_households'].name}（户）",
        )
        if children
        else "",
        "category_svg": svg.bar_chart(
            [(name, plain(v)) for name, v in report.categories()], title="监测对象类别（户）"
        ),
        "risk_svg": svg.bar_chart(
            [(name, plain(v)) for name, v in report.risks() if v], title="风险类型（户，风险未消除）"
        ),
    }
    html = render_to_string("reports/pdf_monthly.html", context)
    return HTML(string=html).write_pdf()

"""公示 as a PDF (WeasyPrint, Debian's Noto CJK fonts): household head, village, category, period.

Never ID numbers, phones, bank accounts or health conditions: the template gets only the fields below."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from fanpin.casework.choices import CaseKind
from fanpin.casework.models import Case


@dataclass(frozen=True)
class NoticeRow:
    head_name: str
    village: str
    category: str
    what: str


def notice_rows(cases) -> list[NoticeRow]:
    rows = []
    for c in cases:
        h = c.household
        if c.kind == CaseKind.IDENTIFICATION:
            what = "拟纳入监测" + ("（风险再标注）" if c.reflag else "")
            category = c.category or "—"
        else:
            what = f"拟标注风险消除（{c.elimination_method}）"
            category = h.category or "—"
        rows.append(
            NoticeRow(
                head_name=h.head_name or "（户主未填）", village=h.village.name, category=category, what=what
            )
        )
    return rows


def notice_pdf(*, case: Case, cases) -> bytes:
    from weasyprint import HTML

    village = case.household.village
    html = render_to_string(
        "casework/notice_pdf.html",
        {
            "title": "防止返贫监测对象"
            + ("识别纳入" if case.kind == CaseKind.IDENTIFICATION else "风险消除")
            + "公示",
            "village": village.full_name,
            "village_name": village.name,
            "rows": notice_rows(cases),
            "start": case.notice_start,
            "end": case.notice_end,
        },
    )
    return HTML(string=html).write_pdf()

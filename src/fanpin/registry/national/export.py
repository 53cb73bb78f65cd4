"""Write 《（自定义）监测对象信息》 for an area: two title rows, the header, one row per member, all
cells text, streamed in constant memory (xlsxwriter constant_memory; households read in chunks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from fanpin.registry.income import income_over_12_months, latest_window
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.national.columns import COLUMNS, HEADERS, TITLE
from fanpin.registry.national.places import PlaceIndex

CHUNK = 2000


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "yesno":
        return "是" if value else "否"
    if kind == "date8":
        return value.strftime("%Y%m%d")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def household_rows(
    household: Household,
    members: list[Member],
    incomes: list[IncomeRecord],
    places: PlaceIndex,
    year: int | None,
):
    county, township, village = places.names(household.village_id)
    risks = household.risk_list
    income: dict[str, Any] = {}
    if incomes:
        if year:
            window = income_over_12_months(incomes, end_year=year, end_month=12)
        else:
            window = latest_window(incomes)
        if window.months_covered:
            income = {
                f: getattr(window, f)
                for f in (
                    "wage",
                    "business",
                    "property_income",
                    "transfer",
                    "business_cost",
                    "claims",
                    "out_of_pocket",
                )
            }
            income["net"] = window.net
            income["per_capita"] = window.per_capita(len(members))
    for member in members:
        row = []
        for col in COLUMNS:
            if col.kind == "place":
                value = {"county": county, "township": township, "village": village}[col.field]
            elif col.header == "家庭人口数":
                value = str(len(members))
            elif col.kind == "risk":
                n = int(col.field[-1])
                value = risks[n - 1] if len(risks) >= n else ""
            elif col.kind == "measure":
                value = household.measures_recorded.get(col.header, "")
            elif col.level == "income":
                value = income.get(col.field)
            elif col.level == "member":
                value = getattr(member, col.field)
            else:
                value = getattr(household, col.field)
            row.append(_text(value, col.kind))
        yield row, member.extra


def export_national(
    *,
    households,
    path: Path,
    area_name: str,
    area_code: str,
    year: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """households: a queryset already restricted to the user's area. Returns the number of member rows."""
    total = households.count()
    ids = list(households.order_by("code").values_list("id", flat=True))
    places = PlaceIndex(area_code)
    extra_headers: list[str] = []
    for extra in (
        Member.objects.filter(household_id__in=ids[:50000])
        .exclude(extra={})
        .values_list("extra", flat=True)[:5000]
    ):
        for key in extra:
            if key not in extra_headers and key not in HEADERS:
                extra_headers.append(key)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("监测对象信息")
    text = book.add_format({"num_format": "@"})
    title = book.add_format({"bold": True, "font_size": 14})
    header_format = book.add_format({"bold": True, "border": 1, "bg_color": "#E8EEF7", "num_format": "@"})
    ws.write_string(0, 0, TITLE, title)
    ws.write_string(
        1, 0, f"区划：{area_name}（{area_code or '全部'}）  导出时间：{datetime.now():%Y-%m-%d %H:%M}"
    )
    for c, h in enumerate(HEADERS + extra_headers):
        ws.write_string(2, c, h, header_format)
    ws.set_column(0, len(HEADERS) + len(extra_headers) - 1, 14, text)
    r = 3
    for start in range(0, len(ids), CHUNK):
        chunk_ids = ids[start : start + CHUNK]
        members: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household_id__in=chunk_ids).order_by("household_id", "id"):
            members.setdefault(m.household_id, []).append(m)
        incomes: dict[int, list[IncomeRecord]] = {}
        for rec in IncomeRecord.objects.filter(household_id__in=chunk_ids):
            incomes.setdefault(rec.household_id, []).append(rec)
        for household in Household.objects.filter(pk__in=chunk_ids).order_by("code"):
            for row, extra in household_rows(
                household, members.get(household.pk, []), incomes.get(household.pk, []), places, year
            ):
                for c, value in enumerate(row):
                    if value:
                        ws.write_string(r, c, value)
                for c, key in enumerate(extra_headers, start=len(HEADERS)):
                    if extra.get(key):
                        ws.write_string(r, c, extra[key])
                r += 1
        if on_progress:
            on_progress(min(start + CHUNK, total), total)
    book.close()
    return r - 3

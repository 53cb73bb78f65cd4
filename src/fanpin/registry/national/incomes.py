"""The monthly income template (月度收入): one row per household and month.

Columns: 户编号 or 证件号码 (of any member, normally the head), 年月 (YYYYMM), then the components
工资性收入, 生产经营性收入, 财产性收入, 转移性收入, 生产经营性支出, 理赔收入, 合规自付支出 (empty = 0).
Parsed into a batch like the national file; the merge replaces each (household, month) record.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction

from fanpin.core import crypto
from fanpin.core.services.audit import AuditBuffer
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.national import convert
from fanpin.registry.national.parse import ParseResult
from fanpin.registry.national.reader import SheetRows
from fanpin.registry.services.income import households_income_refresh

COMPONENTS = {
    "工资性收入": "wage",
    "生产经营性收入": "business",
    "财产性收入": "property_income",
    "转移性收入": "transfer",
    "生产经营性支出": "business_cost",
    "理赔收入": "claims",
    "合规自付支出": "out_of_pocket",
}
TEMPLATE_HEADERS = ["户编号", "证件号码", "年月", *COMPONENTS]


def parse_incomes(
    *,
    path,
    file_name: str,
    area_code: str,
    on_progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> tuple[ParseResult, list[dict]]:
    today = today or date.today()
    result = ParseResult()
    sheet = SheetRows(path, name=file_name, header_marker="年月")
    header = sheet.header
    if "户编号" not in header and "证件号码" not in header:
        result.error(sheet.header_row, "户编号", "", "缺少“户编号”或“证件号码”列")
        return result, []
    result.unknown_columns = [h for h in header if h and h not in TEMPLATE_HEADERS]
    for h in result.unknown_columns:
        result.warning(
            sheet.header_row, h, h, "系统未识别此列，已忽略；收入模板只认 " + "、".join(TEMPLATE_HEADERS)
        )
    rows = []
    for number, values in sheet.rows():
        result.rows += 1
        cells = dict(zip(header, values, strict=False))
        row = {"row": number, "code": cells.get("户编号", ""), "id_number": cells.get("证件号码", "").upper()}
        key = row["code"] or row["id_number"]
        try:
            month = convert.to_month(cells.get("年月", ""), today=today)
            if not month:
                raise convert.CellError("为空")
        except convert.CellError as exc:
            result.error(number, "年月", cells.get("年月", ""), f"“年月”{exc}", key)
            month = ""
        row["month"] = month
        for header_name, field in COMPONENTS.items():
            try:
                row[field] = str(convert.to_decimal(cells.get(header_name, "")) or Decimal("0.00"))
            except convert.CellError as exc:
                result.error(number, header_name, cells.get(header_name, ""), f"“{header_name}”{exc}", key)
        if not key:
            result.error(number, "户编号", "", "户编号和证件号码都为空，无法确定是哪一户")
        rows.append(row)
        if on_progress and result.rows % 2000 == 0:
            on_progress(result.rows, sheet.total_rows or result.rows)
    _resolve(result, rows, area_code)
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.get("household_id") and row["month"]:
            key = (row["household_id"], row["month"])
            if key in seen:
                result.error(
                    row["row"], "年月", row["month"], f"同一户同一月份重复（第 {seen[key]} 行）", row["key"]
                )
            seen.setdefault(key, row["row"])
    return result, rows


def _resolve(result: ParseResult, rows: list[dict], area_code: str) -> None:
    codes = {r["code"] for r in rows if r["code"]}
    numbers = {r["id_number"] for r in rows if r["id_number"] and not r["code"]}
    by_code = {}
    by_number = {}
    fields = ("id", "code", "village_id")
    for chunk in _chunks(list(codes)):
        by_code.update({h[1]: h for h in Household.objects.filter(code__in=chunk).values_list(*fields)})
    # ID numbers are encrypted: looked up by their blind index (core/crypto.py).
    indexed = dict(zip(crypto.blind_index_many(list(numbers), kind="id"), numbers, strict=True))
    for chunk in _chunks(list(indexed)):
        for index, hid, code, village in Member.objects.filter(id_number_index__in=chunk).values_list(
            "id_number_index", "household_id", "household__code", "household__village_id"
        ):
            by_number[indexed[index]] = (hid, code, village)
    for row in rows:
        found = by_code.get(row["code"]) if row["code"] else by_number.get(row["id_number"])
        row["key"] = row["code"] or row["id_number"]
        if found is None:
            if row["key"]:
                result.error(
                    row["row"],
                    "户编号" if row["code"] else "证件号码",
                    row["key"],
                    "系统中没有这一户（请先导入或新增该户）",
                    row["key"],
                )
            continue
        hid, code, village = found
        if not village.startswith(area_code):
            result.error(row["row"], "户编号", code, "该户不在导入范围内", row["key"])
            continue
        row["household_id"], row["household_code"], row["village"] = hid, code, village


def _chunks(items, size=5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_income_staging(result: ParseResult, rows: list[dict], path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for row in rows:
            row["bad"] = row.get("key", "") in result.bad_households or not row.get("household_id")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def merge_incomes(*, batch, mode: str, actor, on_progress=None) -> dict:
    with gzip.open(batch.staging_path, "rt", encoding="utf-8") as src:
        rows = [json.loads(line) for line in src]
    rows = [r for r in rows if not r["bad"]]
    audit = AuditBuffer(actor)
    summary = {"records_created": 0, "records_replaced": 0, "households": 0}
    with transaction.atomic():
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            keys = {(r["household_id"], int(r["month"][:4]), int(r["month"][4:])) for r in chunk}
            existing = (
                set(
                    IncomeRecord.objects.filter(household_id__in={k[0] for k in keys}, months=1).values_list(
                        "household_id", "year", "month"
                    )
                )
                & keys
            )
            for hid, year, month in existing:
                IncomeRecord.objects.filter(household_id=hid, year=year, month=month, months=1).delete()
            IncomeRecord.objects.bulk_create(
                [
                    IncomeRecord(
                        household_id=r["household_id"],
                        year=int(r["month"][:4]),
                        month=int(r["month"][4:]),
                        months=1,
                        **{f: Decimal(r[f]) for f in COMPONENTS.values()},
                    )
                    for r in chunk
                ]
            )
            summary["records_replaced"] += len(existing)
            summary["records_created"] += len(chunk) - len(existing)
            household_ids = sorted({r["household_id"] for r in chunk})
            households_income_refresh(household_ids)
            for r in chunk:
                audit.add(
                    action="income.import",
                    object_type="registry.incomerecord",
                    object_repr=f"{r['household_code']} {r['month']}",
                    subject=r["household_code"],
                    area_code=r["village"],
                    after={f: r[f] for f in COMPONENTS.values()},
                    note=f"导入 {batch.file_name} 第 {r['row']} 行",
                )
            summary["households"] += len(household_ids)
            if on_progress:
                on_progress(min(start + 2000, len(rows)), len(rows))
        audit.flush()
    return summary

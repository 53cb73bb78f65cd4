"""Check a department file's header and turn its rows into records and issues (no database here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fanpin.core.errors import ApplicationError
from fanpin.monitoring.departments.formats import MAX_AMOUNT_YUAN, Column, SourceFormat
from fanpin.monitoring.departments.reader import DepartmentFile
from fanpin.registry import idnumber

MONTH = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})(?:月|[-/.]\d{1,2})?$")


@dataclass
class Parsed:
    row: int
    id_number: str
    name: str
    fields: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)  # engine column → value


@dataclass
class Issue:
    row: int
    column: str
    value: str
    message: str


def check_header(file: DepartmentFile, fmt: SourceFormat) -> None:
    """Refuse a file that lacks a required column, naming every column the source expects."""
    present = set(file.header)
    missing = [name for name in fmt.required if name not in present]
    missing += ["或".join(group) for group in fmt.one_of if not present.intersection(group)]
    if missing:
        raise ApplicationError(
            f"文件“{file.name}”不是{fmt.label}数据的格式：缺少列 {'、'.join(missing)}。"
            f"{fmt.label}数据应有的列：{fmt.expected()}。"
        )


def _amount(text: str, column: Column) -> int:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{column.name}“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"{column.name}“{text}”不是数字")
    if value < 0:
        raise ValueError(f"{column.name}不能为负数（{text}）")
    if value > MAX_AMOUNT_YUAN:
        raise ValueError(f"{column.name} {text} 元超过 1 亿元，不合理")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _year(text: str, column: Column) -> int:
    digits = text[:-1] if text.endswith("年") else text
    if not (digits.isdigit() and 2000 <= int(digits) <= 2100):
        raise ValueError(f"{column.name}“{text}”应为四位年份，如 2025")
    return int(digits)


def _month(text: str, column: Column) -> tuple[int, int]:
    found = MONTH.match(text.strip())
    if not found or not (2000 <= int(found[1]) <= 2100 and 1 <= int(found[2]) <= 12):
        raise ValueError(f"{column.name}“{text}”应写作 YYYY-MM，如 2025-03")
    return int(found[1]), int(found[2])


def parse_rows(file: DepartmentFile, fmt: SourceFormat) -> Iterator[Parsed | Issue]:
    """Each row as a Parsed record, or the Issue(s) that keep it out (a row with issues is not kept)."""
    for number, cells in file.rows():
        yield from parse_row(number, cells, file.header, fmt)


def parse_row(
    number: int, cells: list[str], header: list[str], fmt: SourceFormat
) -> Iterator[Parsed | Issue]:
    """One row (cells stripped, as wide as the header) as a Parsed record or its Issue(s)."""
    index = {name: i for i, name in enumerate(header) if name}
    own = [c for c in fmt.columns if c.name in index and c.name not in ("证件号码", "姓名")]
    problems: list[Issue] = []
    raw_id = cells[index["证件号码"]]
    name = cells[index["姓名"]]
    id_number = ""
    if not raw_id:
        problems.append(Issue(number, "证件号码", "", "证件号码为空"))
    else:
        try:
            id_number = idnumber.parse(raw_id).number
        except idnumber.IdNumberError as exc:
            problems.append(Issue(number, "证件号码", raw_id, str(exc)))
    if not name:
        problems.append(Issue(number, "姓名", "", "姓名为空"))
    values: dict[str, object] = {}
    fields: dict[str, str] = {}
    for column in own:
        text = cells[index[column.name]]
        fields[column.name] = text
        if not text:
            if column.kind in ("amount", "choice") and column.required:
                problems.append(Issue(number, column.name, "", f"{column.name}为空"))
            continue
        try:
            if column.kind == "amount":
                values[column.engine] = _amount(text, column)
            elif column.kind == "year":
                values["year"] = _year(text, column)
            elif column.kind == "month":
                year, month = _month(text, column)
                values.setdefault("year", year)
                values["month"] = month
            elif column.kind == "choice":
                if text not in column.choices:
                    raise ValueError(f"{column.name}“{text}”应为 {'、'.join(column.choices)} 之一")
                values[column.engine] = text
            elif column.engine:
                values[column.engine] = text
        except ValueError as exc:
            problems.append(Issue(number, column.name, text, str(exc)))
    for group in fmt.one_of:
        if not any(fields.get(name) for name in group) and not any(p.column in group for p in problems):
            problems.append(Issue(number, "或".join(group), "", f"{'和'.join(group)}均为空"))
    if problems:
        yield from problems
    else:
        yield Parsed(row=number, id_number=id_number, name=name, fields=fields, values=values)

"""Parse a national-format file into a staged batch: every error by row and column, nothing written
to the registry. The parsed households go to a staging file (marshal); the merge reads it.

The reader hands over blocks of rows column by column. A column is checked and converted once per
distinct value in the block (most columns hold a few distinct values: 是/否, code-table entries, the
amounts of a household repeated on each member row), then each row is walked once: household, place,
the household's values against its first row, the member's identity, duplicate ID numbers. The errors
and their order are those of checking each row cell by cell: by row, then by column.
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from fanpin.core import crypto
from fanpin.core.errors import ApplicationError
from fanpin.core.masking import mask_cell
from fanpin.registry import idnumber
from fanpin.registry.choices import (
    RISK_TYPES,
    Category,
    EliminationMethod,
    Health,
    HouseholdType,
    LabourSkill,
    Sex,
)
from fanpin.registry.income import CENT
from fanpin.registry.models import Household, Member
from fanpin.registry.national import convert
from fanpin.registry.national.columns import BY_HEADER, ID_TYPE_ALIASES, NON_NULL_BOOLEANS, REQUIRED, Column
from fanpin.registry.national.places import PlaceIndex
from fanpin.registry.national.reader import Cells, Coded, SheetRows, texts

CHOICES = {
    "household_type": set(HouseholdType.values),
    "category": set(Category.values),
    "elimination_method": set(EliminationMethod.values),
    "sex": set(Sex.values),
    "health": set(Health.values),
    "labour_skill": set(LabourSkill.values),
}
RISKS = set(RISK_TYPES)
# Member columns whose values are nearly all distinct (not worth sharing equal values).
DISTINCT_MEMBER_FIELDS = {"name", "id_number", "phone", "birth_date"}

STAGING_VERSION = 2
STAGING_MAGIC = b"fanpin-staging\n"
ABSENT = ...  # staged value of a field the file does not give (the column is missing): left as it is
_ERR = object()  # a cell that failed its check; its household has an error and is not staged
_NO_EXTRA: dict = {}  # shared by members without unknown columns; never mutated


@dataclass
class Issue:
    level: str
    row: int | None
    column: str
    value: str
    message: str
    household_code: str = ""


class ParsedHousehold:
    """One household of the file: its first row's values and its members."""

    __slots__ = ("code", "row", "first", "declared", "members", "exists")

    def __init__(self, code: str, row: int, first: tuple, declared: tuple):
        self.code = code
        self.row = row
        self.first = first  # household values of its first row, in Layout.keys order
        self.declared = declared  # 家庭人口数 etc. as written in the first row
        self.members: list[tuple] = []  # (row, extra, values, id_type, id_number, birth_date, sex)
        self.exists = False


@dataclass
class ParseResult:
    households: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: int = 0
    bad_households: set[str] = field(default_factory=set)
    blocking: int = 0  # errors not tied to a household (they block a full import)
    members: int = 0
    layout: Layout | None = None

    def error(self, row, column, value, message, household=""):
        self.issues.append(Issue("error", row, column, str(value)[:200], message, household))
        if household:
            self.bad_households.add(household)
        else:
            self.blocking += 1

    def warning(self, row, column, value, message, household=""):
        self.issues.append(Issue("warning", row, column, str(value)[:200], message, household))

    @property
    def error_count(self) -> int:
        return sum(1 for i in self.issues if i.level == "error")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---- Columns -------------------------------------------------------------------------------------


def _converter(col: Column, today: date) -> Callable[[str], Any] | None:
    """text -> value, raising convert.CellError; None for the text kinds (checked, kept as text)."""
    if col.kind == "decimal":
        return convert.to_decimal
    if col.kind == "yesno":
        if col.field in NON_NULL_BOOLEANS:
            return lambda text: bool(convert.to_yesno(text))
        return convert.to_yesno
    if col.kind == "month":
        return lambda text: convert.to_month(text, today=today)
    if col.kind == "date8":  # kept as ISO text (YYYY-MM-DD), which is what the database is given

        def to_iso(text: str) -> str | None:
            value = convert.to_date8(text, today=today)
            return None if value is None else value.isoformat()

        return to_iso
    return None


CACHE_LIMIT = 200_000  # converted values kept per column across blocks (birth dates, amounts, …)


def _convert_column(
    fn: Callable[[str], Any], column: Cells, cache: dict[str, Any], failed: dict[str, str]
) -> tuple[list, dict[int, tuple[str, str]]]:
    """Each distinct text converted once (`cache` and `failed` carry over from block to block);
    (values with _ERR where it failed, {row index: (text, message)})."""
    if len(cache) > CACHE_LIMIT:
        cache.clear()
        failed.clear()

    def fill(distinct) -> None:
        for text in distinct:
            try:
                cache[text] = fn(text)
            except convert.CellError as exc:
                cache[text] = _ERR
                failed[text] = str(exc)

    if column.__class__ is Coded:
        distinct = column.values
        fill([t for t in distinct if t not in cache])
        converted = list(map(cache.__getitem__, distinct))
        values = list(map(converted.__getitem__, column.codes))
        bad = {k for k, t in enumerate(distinct) if t in failed} if failed else None
        if not bad:
            return values, {}
        return values, {j: (distinct[c], failed[distinct[c]]) for j, c in enumerate(column.codes) if c in bad}
    column_texts: Sequence[str] = column  # type: ignore[assignment]
    distinct_set = set(column_texts)
    fill(distinct_set.difference(cache))
    values = list(map(cache.__getitem__, column_texts))
    if not failed or distinct_set.isdisjoint(failed):
        return values, {}
    return values, {j: (t, failed[t]) for j, t in enumerate(column_texts) if t in failed}


def _text_problem(col: Column, text: str, allowed: set | None) -> str | None:
    """What _convert would say about a text cell (length, then code table, then risk), or None."""
    if col.max_length and len(text) > col.max_length:
        return f"超过 {col.max_length} 个字"
    if allowed is not None and text and text not in allowed:
        return f"不是可选值（{'、'.join(sorted(allowed))}）"
    if col.kind == "risk" and text and text not in RISKS:
        return "不是风险类型代码表中的值"
    return None


def _check_text(col: Column, column: Cells, shared: bool) -> tuple[Sequence, dict[int, tuple[str, str]]]:
    """Length, code table and risk checks of a text column; equal values shared when `shared`."""
    allowed = CHOICES.get(col.field)
    if column.__class__ is Coded:
        distinct = column.values
        problems = {k: p for k, t in enumerate(distinct) if (p := _text_problem(col, t, allowed))}
        values: Sequence = list(map(distinct.__getitem__, column.codes))
        if problems:
            errors = {j: (distinct[c], problems[c]) for j, c in enumerate(column.codes) if c in problems}
        else:
            errors = {}
    else:
        column_texts: Sequence[str] = column  # type: ignore[assignment]
        errors = {}
        if col.max_length and column_texts and max(map(len, column_texts)) > col.max_length:
            errors = {
                j: (t, f"超过 {col.max_length} 个字")
                for j, t in enumerate(column_texts)
                if len(t) > col.max_length
            }
        if allowed is not None or col.kind == "risk" or shared:
            distinct_of = dict(zip(column_texts, column_texts, strict=True))  # equal texts -> one object
            if allowed is not None or col.kind == "risk":
                bad = {t: p for t in distinct_of if (p := _text_problem(col, t, allowed))}
                if bad:
                    for j, t in enumerate(column_texts):
                        if t in bad and j not in errors:
                            errors[j] = (t, bad[t])
            values = list(map(distinct_of.__getitem__, column_texts)) if shared else column_texts
        else:
            values = column_texts
    if errors:
        values = list(values)
        for j in errors:
            values[j] = _ERR
    return values, errors


class Layout:
    """What each column of this file's header is for, and the order of the staged values."""

    def __init__(self, header: list[str], today: date):
        self.positions = [(i, BY_HEADER.get(h), h) for i, h in enumerate(header) if h]
        index = {h: i for i, _c, h in self.positions}
        self.code_i = index["户编号"]
        self.place_i = (index["县"], index["乡"], index["村"])
        self.checks: list[tuple[int, Column, Callable | None, str]] = []  # (i, col, converter, role)
        self.keys: list[tuple[str, str, str]] = []  # household values: (label, kind, field)
        self.member_fields: list[str] = []
        self.declared_fields: list[str] = []
        self.unknown: list[tuple[int, str]] = []
        for i, col, h in self.positions:
            if col is None:
                self.unknown.append((i, h))
                continue
            if col.kind == "place" or col.header == "户编号":
                continue
            if col.kind == "computed":
                self.declared_fields.append(col.field)
                role = "declared"
            elif col.kind == "risk":
                role = "risk"
            elif col.kind == "measure":
                self.keys.append((h, "measure", h))
                role = "household"
            elif col.level == "member":
                self.member_fields.append(col.field)
                role = "member"
            else:
                self.keys.append((h, col.level, col.field))
                role = "household"
            self.checks.append((i, col, _converter(col, today), role))
        self.keys.append(("致贫/返贫风险", "risks", "risk_types"))
        self.keys.append(("村", "village", "village"))
        self.risks_k = len(self.keys) - 2
        self.village_k = len(self.keys) - 1
        member = {f: k for k, f in enumerate(self.member_fields)}
        self.name_k = member["name"]
        self.relation_k = member["relation"]
        self.id_number_k = member["id_number"]
        self.id_type_k = member.get("id_type")
        self.birth_k = member.get("birth_date")
        self.sex_k = member.get("sex")
        # Staged household values: the household fields, then the income fields, then the measures.
        self.household_ks = [k for k, (_l, kind, _f) in enumerate(self.keys) if kind == "household"]
        self.household_fields = [self.keys[k][2] for k in self.household_ks] + ["risk_types"]
        self.income_ks = [k for k, (_l, kind, _f) in enumerate(self.keys) if kind == "income"]
        self.income_fields = [self.keys[k][2] for k in self.income_ks]
        self.measure_ks = [(k, label) for k, (label, kind, _f) in enumerate(self.keys) if kind == "measure"]
        decimal_fields = {c.field for c in BY_HEADER.values() if c.kind == "decimal"}
        self.decimal_ks = {
            k for k, (_l, kind, f) in enumerate(self.keys) if kind == "household" and f in decimal_fields
        }


# ---- ID numbers ----------------------------------------------------------------------------------

_NORMAL_IDS = re.compile(r"[^0-9X\x00]")


def _normal_ids(values: list) -> list[str]:
    """idnumber.normalize of each value ('' where the cell failed its check)."""
    try:
        if not _NORMAL_IDS.search("\x00".join(values)):
            return values  # digits and X only: already normal
    except TypeError:  # an _ERR
        pass
    return ["" if v is _ERR else idnumber.normalize(v) for v in values]


class _IdChecker:
    """(ISO birth date, sex) of a valid resident ID number, the rules of idnumber.parse; None when
    anything is off (the caller then asks idnumber.parse, for its exact message)."""

    def __init__(self, today: date):
        self.today = today
        self.births: dict[str, str | None] = {}

    def birth(self, digits: str) -> str | None:
        try:
            value = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        if value < idnumber.EARLIEST_BIRTH or value > self.today:
            return None
        return value.isoformat()

    def __call__(self, number: str) -> tuple[str, str] | None:
        if len(number) != 18 or not number.isascii():
            return None
        first17 = number[:17]
        if not first17.isdigit() or number[:2] not in idnumber.PROVINCE_CODES:
            return None
        digits = number[6:14]
        birth = self.births.get(digits, ...)
        if birth is ...:
            birth = self.births[digits] = self.birth(digits)
        if birth is None:
            return None
        # The MOD 11-2 weights are 2^17 … 2^1 (mod 11), and 13 ≡ 2 (mod 11): Σ weight × digit ≡
        # 2 × (the digits read in base 13).
        if idnumber.CHECK_CHARS[2 * int(first17, 13) % 11] != number[17]:
            return None
        return birth, ("男" if int(number[16]) % 2 == 1 else "女")


# ---- Parsing -------------------------------------------------------------------------------------


def parse_national(
    *,
    path,
    file_name: str,
    area_code: str,
    on_progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ParseResult:
    today = today or date.today()
    result = ParseResult()
    sheet = SheetRows(path, name=file_name)
    try:
        header = sheet.header
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            result.error(sheet.header_row, "、".join(missing), "", f"缺少必需的列：{'、'.join(missing)}")
            return result
        seen_headers: dict[str, int] = {}
        for i, h in enumerate(header):
            if h in seen_headers:
                result.error(
                    sheet.header_row, h, h, f"列名重复（第 {seen_headers[h] + 1} 列和第 {i + 1} 列）"
                )
            seen_headers.setdefault(h, i)
        if result.blocking:
            return result
        result.unknown_columns = [h for h in header if h and h not in BY_HEADER]
        for h in result.unknown_columns:
            result.warning(sheet.header_row, h, h, "系统未识别此列：内容将原样保存在“其他列”中，导出时写回")
        result.layout = layout = Layout(header, today)
        parser = _BlockParser(result, layout, PlaceIndex(area_code), today)
        total = sheet.total_rows or 0
        for block in sheet.blocks():
            parser.parse(block.numbers, block.columns)
            if on_progress:
                on_progress(result.rows, max(total, result.rows))
    finally:
        sheet.close()
    if on_progress:
        on_progress(result.rows, max(total, result.rows))
    _finish_households(result)
    _check_against_registry(result, parser.ids)
    return result


class _BlockParser:
    def __init__(self, result: ParseResult, layout: Layout, places: PlaceIndex, today: date):
        self.result = result
        self.layout = layout
        self.places = places
        self.places_seen: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}
        self.check_id = _IdChecker(today)
        self.today = today
        self.ids: dict[str, tuple[int, str]] = {}
        self.caches: dict[int, tuple[dict, dict]] = {i: ({}, {}) for i, _c, fn, _r in layout.checks if fn}

    def parse(self, numbers: list[int], columns: list[Cells]) -> None:
        result, layout = self.result, self.layout
        n = len(numbers)
        result.rows += n
        # Columns: check and convert; errors by row, in column order.
        cell_errors: dict[int, list[tuple[str, str, str]]] = {}
        household_columns: list[list] = []
        member_columns: list[list] = []
        declared_columns: list[list] = []
        risk_columns: list[list] = []
        for i, col, fn, role in layout.checks:
            column = columns[i]
            if role == "declared":
                declared_columns.append(texts(column))
                continue
            if fn is not None:
                values, errors = _convert_column(fn, column, *self.caches[i])
            else:
                shared = role != "member" or col.field not in DISTINCT_MEMBER_FIELDS
                values, errors = _check_text(col, column, shared)
            for j, (text, message) in errors.items():
                cell_errors.setdefault(j, []).append((col.header, text, message))
            if role == "household":
                household_columns.append(values)
            elif role == "member":
                member_columns.append(values)
            else:  # risk: a failed cell is left out of the household's risks
                risk_columns.append(["" if v is _ERR else v for v in values] if errors else values)
        # Risks (致贫/返贫风险1…5, the filled ones joined by |) and the place of each row.
        if risk_columns:
            household_columns.append(["|".join(filter(None, t)) for t in zip(*risk_columns, strict=True)])
        else:
            household_columns.append([""] * n)
        ci, ti, vi = layout.place_i
        triples = list(zip(texts(columns[ci]), texts(columns[ti]), texts(columns[vi]), strict=True))
        seen = self.places_seen
        for triple in set(triples) - seen.keys():
            seen[triple] = self.places.resolve(*triple)
        places = list(map(seen.__getitem__, triples))
        household_columns.append([p[0] for p in places])
        reasons = [p[1] for p in places] if any(p[1] for p in seen.values()) else None
        households = list(zip(*household_columns, strict=True))
        members = list(zip(*member_columns, strict=True))
        declared = list(zip(*declared_columns, strict=True)) if declared_columns else [()] * n
        unknown = layout.unknown
        if unknown:
            extra_columns = [texts(columns[i]) for i, _h in unknown]
            extra_headers = [h for _i, h in unknown]
            extras = [
                {h: v for h, v in zip(extra_headers, t, strict=True) if v} or _NO_EXTRA
                for t in zip(*extra_columns, strict=True)
            ]
        else:
            extras = [_NO_EXTRA] * n
        id_numbers = _normal_ids(member_columns[layout.id_number_k])
        codes = texts(columns[layout.code_i])
        self._rows(
            numbers, codes, cell_errors, reasons, triples, households, declared, members, id_numbers, extras
        )

    def _rows(
        self, numbers, codes, cell_errors, reasons, triples, households, declared, members, id_numbers, extras
    ):
        result, layout = self.result, self.layout
        error = result.error
        staged = result.households
        ids = self.ids
        check_id = self.check_id
        name_k = layout.name_k
        id_type_k, birth_k, sex_k = layout.id_type_k, layout.birth_k, layout.sex_k
        rows = zip(numbers, codes, households, members, id_numbers, extras, strict=True)
        for j, (number, code, values, mv, number_text, extra) in enumerate(rows):
            if not code:
                error(number, "户编号", "", "户编号为空：该成员不属于任何户，请填写户编号")
                continue
            if len(code) > 32:
                error(number, "户编号", code, "户编号超过 32 位", code)
                continue
            household = staged.get(code)
            if household is None:
                household = staged[code] = ParsedHousehold(code, number, values, declared[j])
                new_household = True
            else:
                new_household = False
            if cell_errors and j in cell_errors:
                for header, text, message in cell_errors[j]:
                    error(number, header, text, f"“{header}”{message}", code)
            # Place
            if reasons and reasons[j]:
                error(number, "村", "".join(triples[j]), reasons[j], code)
            # Household values must agree across its member rows.
            if not new_household and values != household.first:
                self._disagree(number, code, household, values)
            # Member identity
            id_type = "" if id_type_k is None else mv[id_type_k]
            if id_type is _ERR:
                id_type = ""
            id_type = ID_TYPE_ALIASES.get(id_type, id_type)
            birth = ABSENT if birth_k is None or mv[birth_k] is _ERR else mv[birth_k]
            sex = ABSENT if sex_k is None or mv[sex_k] is _ERR else mv[sex_k]
            name = mv[name_k]
            if name is _ERR or not name:
                error(number, "姓名", "", "姓名为空", code)
            if not number_text:
                error(number, "证件号码", "", "证件号码为空", code)
            elif id_type == "居民身份证":
                info = check_id(number_text)
                if info is None:
                    try:
                        parsed = idnumber.parse(number_text, today=self.today)
                    except idnumber.IdNumberError as exc:
                        error(number, "证件号码", number_text, str(exc), code)
                    else:
                        info = (parsed.birth_date.isoformat(), parsed.sex)
                if info is not None:
                    given_birth = birth if birth is not ABSENT else None
                    given_sex = sex if sex is not ABSENT else None
                    if given_birth and given_birth != info[0]:
                        error(
                            number,
                            "出生日期",
                            given_birth.replace("-", ""),
                            f"出生日期与身份证号码中的 {info[0].replace('-', '')} 不一致",
                            code,
                        )
                    if given_sex and given_sex != info[1]:
                        error(number, "性别", given_sex, f"性别与身份证号码（{info[1]}）不一致", code)
                    birth = given_birth or info[0]
                    sex = given_sex or info[1]
            elif id_type == "残疾人证" and len(number_text) not in (20, 22):
                error(number, "证件号码", number_text, "残疾人证号应为 20 或 22 位", code)
            elif id_type not in ("护照", "其他", "残疾人证"):
                error(number, "证件类型", id_type, "证件类型应为 居民身份证、残疾人证、护照 或 其他", code)
            if number_text:
                first_seen = ids.get(number_text)
                if first_seen is not None:
                    error(
                        number,
                        "证件号码",
                        number_text,
                        f"证件号码重复：与第 {first_seen[0]} 行（户 {first_seen[1]}）相同；一个人只能属于一户",
                        code,
                    )
                    error(
                        first_seen[0],
                        "证件号码",
                        number_text,
                        f"证件号码重复：与第 {number} 行（户 {code}）相同；一个人只能属于一户",
                        first_seen[1],
                    )
                else:
                    ids[number_text] = (number, code)
            household.members.append((number, extra, mv, id_type, number_text, birth, sex))
            result.members += 1

    def _disagree(self, number: int, code: str, household: ParsedHousehold, values: tuple) -> None:
        """Name each household value of this row that differs from the household's first row (a value
        that failed its own check, or an empty measure, is not compared)."""
        first = household.first
        for k, (label, kind, _field) in enumerate(self.layout.keys):
            value = values[k]
            if value is _ERR or (kind == "measure" and not value):
                continue
            old = first[k]
            if old is _ERR or (kind == "measure" and not old):
                old = None
            if old != value:
                self.result.error(
                    number,
                    label,
                    str(_plain(value) or ""),
                    f"同一户的“{label}”与第 {household.row} 行不一致（{mask_cell(str(_plain(old) or ''), label) or '空'}）",
                    code,
                )


def _finish_households(result: ParseResult) -> None:
    layout = result.layout
    if layout is None:
        return
    relation_k = layout.relation_k
    declared_fields = layout.declared_fields
    income_items = list(zip(layout.income_fields, layout.income_ks, strict=True))
    for code, household in result.households.items():
        first = household.first
        if len(first[layout.risks_k].split("|")) > 5:
            result.error(household.row, "致贫/返贫风险", "", "风险类型最多 5 项", code)
        members = household.members
        heads = sum(1 for m in members if m[2][relation_k] == "户主")
        if heads != 1:
            result.error(
                household.row,
                "与户主关系",
                str(heads),
                f"每户应有且只有一个户主，该户有 {heads} 个",
                code,
            )
        declared = dict(zip(declared_fields, household.declared, strict=True))
        if declared.get("size") and declared["size"] != str(len(members)):
            result.warning(
                household.row,
                "家庭人口数",
                declared["size"],
                f"家庭人口数与文件中该户的成员行数 {len(members)} 不一致；以成员行数为准",
                code,
            )
        income = {f: first[k] for f, k in income_items if first[k] is not _ERR}
        if any(v is not None for v in income.values()):
            net = sum(
                (income.get(k) or Decimal(0)) for k in ("wage", "business", "property_income", "transfer")
            ) - (income.get("business_cost") or Decimal(0))
            for key, expected in (
                ("net", net),
                ("per_capita", (net / len(members)).quantize(CENT) if members else None),
            ):
                text = declared.get(key, "")
                if text and expected is not None:
                    try:
                        stated = Decimal(text.replace(",", ""))
                    except Exception:  # noqa: BLE001
                        stated = None
                    if stated is None or abs(stated - expected) > 1:
                        label = "家庭纯收入" if key == "net" else "人均纯收入（元）"
                        result.warning(
                            household.row,
                            label,
                            text,
                            f"{label}与各项收入计算结果 {expected} 不一致；导入后按计算结果保存",
                            code,
                        )


def select_in(sql: str, values: list, params: tuple = (), size: int = 5000) -> Iterator[tuple]:
    """Rows of `sql`, whose one `IN %s` is given `values` (any number, in chunks): a JSON array on
    SQLite (json_each), an array on PostgreSQL, a parameter list elsewhere."""
    vendor = connection.vendor
    with connection.cursor() as cur:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            if vendor == "sqlite":
                cur.execute(
                    sql.replace("IN %s", "IN (SELECT value FROM json_each(%s))"), [*params, json.dumps(chunk)]
                )
            elif vendor == "postgresql":
                cur.execute(sql.replace("IN %s", "= ANY(%s)"), [*params, chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cur.execute(sql.replace("IN %s", f"IN ({marks})"), [*params, *chunk])
            yield from cur.fetchall()


def _check_against_registry(result: ParseResult, ids: dict[str, tuple[int, str]]) -> None:
    """An ID already registered in a household not in this file is refused, naming both households."""
    qn = connection.ops.quote_name
    member, household = qn(Member._meta.db_table), qn(Household._meta.db_table)
    sql = (
        f"SELECT m.{qn('id_number_index')}, h.{qn('code')} FROM {member} m "
        f"JOIN {household} h ON h.{qn('id')} = m.{qn('household_id')} WHERE m.{qn('id_number_index')} IN %s"
    )
    # ID numbers are encrypted: they are found by their blind index (core/crypto.py).
    numbers = list(ids)
    by_index = dict(zip(crypto.blind_index_many(numbers, kind="id"), numbers, strict=True))
    by_index.pop("", None)
    for index, household_code in select_in(sql, list(by_index)):
        id_number = by_index[index]
        row, code = ids[id_number]
        if household_code != code:
            result.error(
                row,
                "证件号码",
                id_number,
                f"此人已登记在户 {household_code}，一个人只能属于一户；请先从原户减员或核对证件号码",
                code,
            )
    sql = f"SELECT {qn('code')} FROM {household} WHERE {qn('code')} IN %s"
    existing = {code for (code,) in select_in(sql, list(result.households))}
    for code, parsed in result.households.items():
        parsed.exists = code in existing


# ---- Staging file --------------------------------------------------------------------------------
# marshal: a header dict, then lists of up to STAGE_CHUNK households, each
# (code, row, village, household values, income values, measures, members); Decimal as text.
# Members: (row, extra, values in member_fields order, id_type, id_number, birth_date, sex), with
# ABSENT for a birth date or sex the file does not give. Households with an error are not staged.

STAGE_CHUNK = 2000


def write_staging(result: ParseResult, path) -> None:
    layout = result.layout
    bad = result.bad_households
    good = [h for code, h in result.households.items() if code not in bad]
    header = {
        "version": STAGING_VERSION,
        "households": len(good),
        "members": sum(len(h.members) for h in good),
        "bad": len(result.households) - len(good),
        "household_fields": layout.household_fields if layout else [],
        "income_fields": layout.income_fields if layout else [],
        "member_fields": layout.member_fields if layout else [],
    }
    with open(path, "wb") as out:
        out.write(STAGING_MAGIC)
        _write_frame(out, header)
        if layout is None:
            return
        household_ks, income_ks, measure_ks = layout.household_ks, layout.income_ks, layout.measure_ks
        risks_k, village_k = layout.risks_k, layout.village_k
        decimals = [p for p, k in enumerate(household_ks) if k in layout.decimal_ks]
        for start in range(0, len(good), STAGE_CHUNK):
            chunk = []
            for h in good[start : start + STAGE_CHUNK]:
                first = h.first
                values = [first[k] for k in household_ks]
                for p in decimals:
                    if values[p] is not None:
                        values[p] = str(values[p])
                values.append(first[risks_k])
                income = tuple([None if first[k] is None else str(first[k]) for k in income_ks])
                measures = {label: first[k] for k, label in measure_ks if first[k]}
                chunk.append((h.code, h.row, first[village_k], tuple(values), income, measures, h.members))
            _write_frame(out, chunk)


def _write_frame(out, value) -> None:
    data = marshal.dumps(value)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)


def _read_frame(src) -> Any:
    size = src.read(8)
    if len(size) < 8:
        raise EOFError
    return marshal.loads(src.read(int.from_bytes(size, "little")))


def read_staging(path) -> tuple[dict, Iterator[list[tuple]]]:
    """(header, chunks of staged households)."""
    try:
        src = open(path, "rb")  # noqa: SIM115 — closed by the generator
    except OSError:
        raise ApplicationError("该批次的暂存数据已失效，请重新上传文件。") from None
    try:
        if src.read(len(STAGING_MAGIC)) != STAGING_MAGIC:
            raise ValueError
        header = _read_frame(src)
        if not isinstance(header, dict) or header.get("version") != STAGING_VERSION:
            raise ValueError
    except (EOFError, ValueError, TypeError):
        src.close()
        raise ApplicationError("该批次的暂存数据已失效，请重新上传文件。") from None

    def chunks() -> Iterator[list[tuple]]:
        with src:
            while True:
                try:
                    yield _read_frame(src)
                except EOFError:
                    return

    return header, chunks()

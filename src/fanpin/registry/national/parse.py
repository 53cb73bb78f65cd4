"""Parse a national-format file into a staged batch: every error by row and column, nothing written
to the registry. The parsed households go to a compressed JSON-lines staging file; the merge reads it."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

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
from fanpin.registry.national.reader import SheetRows

CHOICES = {
    "household_type": set(HouseholdType.values),
    "category": set(Category.values),
    "elimination_method": set(EliminationMethod.values),
    "sex": set(Sex.values),
    "health": set(Health.values),
    "labour_skill": set(LabourSkill.values),
}
RISKS = set(RISK_TYPES)


@dataclass
class Issue:
    level: str
    row: int | None
    column: str
    value: str
    message: str
    household_code: str = ""


@dataclass
class ParseResult:
    households: dict[str, dict] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: int = 0
    bad_households: set[str] = field(default_factory=set)
    blocking: int = 0  # errors not tied to a household (they block a full import)

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


def _convert(col: Column, text: str, today: date) -> Any:
    if col.kind == "decimal":
        return convert.to_decimal(text)
    if col.kind == "yesno":
        value = convert.to_yesno(text)
        return bool(value) if value is None and col.field in NON_NULL_BOOLEANS else value
    if col.kind == "month":
        return convert.to_month(text, today=today)
    if col.kind == "date8":
        return convert.to_date8(text, today=today)
    if col.max_length and len(text) > col.max_length:
        raise convert.CellError(f"超过 {col.max_length} 个字")
    if col.field in CHOICES and text and text not in CHOICES[col.field]:
        raise convert.CellError(f"不是可选值（{'、'.join(sorted(CHOICES[col.field]))}）")
    if col.kind == "risk" and text and text not in RISKS:
        raise convert.CellError("不是风险类型代码表中的值")
    return text


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
    header = sheet.header
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        result.error(sheet.header_row, "、".join(missing), "", f"缺少必需的列：{'、'.join(missing)}")
        return result
    seen_headers: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen_headers:
            result.error(sheet.header_row, h, h, f"列名重复（第 {seen_headers[h] + 1} 列和第 {i + 1} 列）")
        seen_headers.setdefault(h, i)
    if result.blocking:
        return result
    result.unknown_columns = [h for h in header if h and h not in BY_HEADER]
    for h in result.unknown_columns:
        result.warning(sheet.header_row, h, h, "系统未识别此列：内容将原样保存在“其他列”中，导出时写回")
    places = PlaceIndex(area_code)
    positions = [(i, BY_HEADER.get(h), h) for i, h in enumerate(header) if h]
    total = sheet.total_rows or 0
    ids: dict[str, tuple[int, str]] = {}
    households = result.households

    for number, values in sheet.rows():
        result.rows += 1
        if on_progress and result.rows % 2000 == 0:
            on_progress(result.rows, total)
        cells = {h: values[i] if i < len(values) else "" for i, _c, h in positions}
        code = cells.get("户编号", "")
        if not code:
            result.error(number, "户编号", "", "户编号为空：该成员不属于任何户，请填写户编号")
            continue
        if len(code) > 32:
            result.error(number, "户编号", code, "户编号超过 32 位", code)
            continue
        household = households.get(code)
        new_household = household is None
        if new_household:
            household = households[code] = {
                "code": code,
                "row": number,
                "fields": {},
                "income": {},
                "declared": {},
                "measures": {},
                "extra": {},
                "risks": [],
                "members": [],
                "village": None,
            }
        member: dict[str, Any] = {"row": number, "extra": {}}
        hfields: dict[str, Any] = {}
        risks: list[str] = []
        for _i, col, h in positions:
            text = cells[h]
            if col is None:
                if text:
                    member["extra"][h] = text
                continue
            if col.kind == "place" or col.header == "户编号":
                continue
            try:
                value = _convert(col, text, today)
            except convert.CellError as exc:
                result.error(number, h, text, f"“{h}”{exc}", code)
                continue
            if col.kind == "computed":
                hfields[f"declared:{col.field}"] = text
            elif col.kind == "risk":
                if value:
                    risks.append(value)
            elif col.kind == "measure":
                if value:
                    hfields[f"measure:{h}"] = value
            elif col.level == "member":
                member[col.field] = value
            else:
                hfields[f"{col.level}:{col.field}"] = value
        hfields["risks"] = "|".join(risks)
        # Place
        village, reason = places.resolve(cells.get("县", ""), cells.get("乡", ""), cells.get("村", ""))
        if reason:
            result.error(
                number, "村", f"{cells.get('县', '')}{cells.get('乡', '')}{cells.get('村', '')}", reason, code
            )
        hfields["village"] = village
        # Household values must agree across its member rows.
        if new_household:
            household["first"] = hfields
        else:
            first = household["first"]
            for key, value in hfields.items():
                if key.startswith("declared:"):
                    continue
                if first.get(key) != value:
                    level, _, name = key.rpartition(":")
                    label = next(
                        (c.header for c in BY_HEADER.values() if c.field == name and level in ("", c.level)),
                        "致贫/返贫风险" if name == "risks" else name,
                    )
                    result.error(
                        number,
                        label,
                        str(_plain(value) or ""),
                        f"同一户的“{label}”与第 {household['row']} 行不一致（{_plain(first.get(key)) or '空'}）",
                        code,
                    )
        # Member identity
        id_type = ID_TYPE_ALIASES.get(member.get("id_type", ""), member.get("id_type", ""))
        member["id_type"] = id_type
        number_text = idnumber.normalize(member.get("id_number", ""))
        member["id_number"] = number_text
        if not member.get("name"):
            result.error(number, "姓名", "", "姓名为空", code)
        if not number_text:
            result.error(number, "证件号码", "", "证件号码为空", code)
        elif id_type == "居民身份证":
            try:
                info = idnumber.parse(number_text, today=today)
            except idnumber.IdNumberError as exc:
                result.error(number, "证件号码", number_text, str(exc), code)
            else:
                if member.get("birth_date") and member["birth_date"] != info.birth_date:
                    result.error(
                        number,
                        "出生日期",
                        member["birth_date"].strftime("%Y%m%d"),
                        f"出生日期与身份证号码中的 {info.birth_date:%Y%m%d} 不一致",
                        code,
                    )
                if member.get("sex") and member["sex"] != info.sex:
                    result.error(number, "性别", member["sex"], f"性别与身份证号码（{info.sex}）不一致", code)
                member["birth_date"] = member.get("birth_date") or info.birth_date
                member["sex"] = member.get("sex") or info.sex
        elif id_type == "残疾人证" and len(number_text) not in (20, 22):
            result.error(number, "证件号码", number_text, "残疾人证号应为 20 或 22 位", code)
        elif id_type not in ("护照", "其他", "残疾人证"):
            result.error(number, "证件类型", id_type, "证件类型应为 居民身份证、残疾人证、护照 或 其他", code)
        if number_text:
            first_seen = ids.get(number_text)
            if first_seen is not None:
                result.error(
                    number,
                    "证件号码",
                    number_text,
                    f"证件号码重复：与第 {first_seen[0]} 行（户 {first_seen[1]}）相同；一个人只能属于一户",
                    code,
                )
                result.error(
                    first_seen[0],
                    "证件号码",
                    number_text,
                    f"证件号码重复：与第 {number} 行（户 {code}）相同；一个人只能属于一户",
                    first_seen[1],
                )
            else:
                ids[number_text] = (number, code)
        household["members"].append(member)

    if on_progress:
        on_progress(result.rows, max(total, result.rows))
    _finish_households(result, today)
    _check_against_registry(result, ids)
    return result


def _finish_households(result: ParseResult, today: date) -> None:
    for code, household in result.households.items():
        first = household.pop("first")
        household["village"] = first.pop("village")
        for key, value in first.items():
            kind, _, name = key.partition(":")
            if kind == "household":
                household["fields"][name] = value
            elif kind == "income":
                household["income"][name] = value
            elif kind == "measure":
                household["measures"][name] = value
            elif kind == "declared":
                household["declared"][name] = value
        household["fields"]["risk_types"] = first.get("risks", "")
        if len(household["fields"]["risk_types"].split("|")) > 5:
            result.error(household["row"], "致贫/返贫风险", "", "风险类型最多 5 项", code)
        members = household["members"]
        heads = [m for m in members if m.get("relation") == "户主"]
        if len(heads) != 1:
            result.error(
                household["row"],
                "与户主关系",
                str(len(heads)),
                f"每户应有且只有一个户主，该户有 {len(heads)} 个",
                code,
            )
        declared = household["declared"]
        if declared.get("size") and declared["size"] != str(len(members)):
            result.warning(
                household["row"],
                "家庭人口数",
                declared["size"],
                f"家庭人口数与文件中该户的成员行数 {len(members)} 不一致；以成员行数为准",
                code,
            )
        income = household["income"]
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
                            household["row"],
                            label,
                            text,
                            f"{label}与各项收入计算结果 {expected} 不一致；导入后按计算结果保存",
                            code,
                        )


def _check_against_registry(result: ParseResult, ids: dict[str, tuple[int, str]]) -> None:
    """An ID already registered in a household not in this file is refused, naming both households."""
    numbers = list(ids)
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        for id_number, household_code in Member.objects.filter(id_number__in=chunk).values_list(
            "id_number", "household__code"
        ):
            row, code = ids[id_number]
            if household_code != code:
                result.error(
                    row,
                    "证件号码",
                    id_number,
                    f"此人已登记在户 {household_code}，一个人只能属于一户；请先从原户减员或核对证件号码",
                    code,
                )
    codes = list(result.households)
    existing = set()
    for start in range(0, len(codes), 5000):
        existing.update(
            Household.objects.filter(code__in=codes[start : start + 5000]).values_list("code", flat=True)
        )
    for code, household in result.households.items():
        household["exists"] = code in existing


def write_staging(result: ParseResult, path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for household in result.households.values():
            household["bad"] = household["code"] in result.bad_households
            out.write(json.dumps(household, default=_plain, ensure_ascii=False))
            out.write("\n")


def read_staging(path):
    with gzip.open(path, "rt", encoding="utf-8") as src:
        for line in src:
            yield json.loads(line)

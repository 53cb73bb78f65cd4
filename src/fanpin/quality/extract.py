"""The engine's input tables (fanpin.matching.engine.quality) from the registry of an area, or from an
uploaded national-format file parsed by the import's own reader — staged in memory, never written to
the registry."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from fanpin.matching.engine.quality import (
    HOUSEHOLD_SCHEMA,
    MEASURE_CATEGORIES,
    MEASURE_SCHEMA,
    MEMBER_SCHEMA,
    arrow_table,
)
from fanpin.monitoring.extract import _area_where, _cents, _read

H_SQL = [
    ("household_id", "h.id", pa.int64()),
    ("household_type", "h.household_type", pa.string()),
    ("size", "h.size", pa.int64()),
    ("declared_size", "h.size", pa.int64()),
    ("whole_no_labour", "h.whole_no_labour", pa.bool_()),
    ("category", "h.category", pa.string()),
    ("identified_month", "h.identified_month", pa.string()),
    ("risk_types", "h.risk_types", pa.string()),
    ("risk_eliminated", "h.risk_eliminated", pa.bool_()),
    ("elimination_method", "h.elimination_method", pa.string()),
    ("eliminated_month", "h.eliminated_month", pa.string()),
    ("house_grade", "h.house_grade", pa.string()),
    ("house_dangerous", "h.house_dangerous", pa.bool_()),
    ("water_secured", "h.water_secured", pa.bool_()),
    ("water_quantity_ok", "h.water_quantity_ok", pa.bool_()),
    ("water_quality_ok", "h.water_quality_ok", pa.bool_()),
    ("water_convenience_ok", "h.water_convenience_ok", pa.bool_()),
    ("water_reliability_ok", "h.water_reliability_ok", pa.bool_()),
    ("dropout", "h.dropout", pa.bool_()),
    ("member_uninsured", "h.member_uninsured", pa.bool_()),
    ("house_damaged_after", "h.house_damaged_after", pa.bool_()),
    ("water_damaged_after", "h.water_damaged_after", pa.bool_()),
    ("phone", "h.phone", pa.string()),
    ("collector", "h.collector", pa.string()),
    ("collector_phone", "h.collector_phone", pa.string()),
]
M_SQL = [
    ("member_id", "m.id", pa.int64()),
    ("household_id", "m.household_id", pa.int64()),
    ("name", "m.name", pa.string()),
    ("id_type", "m.id_type", pa.string()),
    ("id_number", "m.id_number", pa.string()),
    ("sex", "m.sex", pa.string()),
    ("birth_date", "m.birth_date", pa.date32()),
    ("relation", "m.relation", pa.string()),
    ("ethnicity", "m.ethnicity", pa.string()),
    ("education", "m.education", pa.string()),
    ("school_status", "m.school_status", pa.string()),
    ("not_in_school_reason", "m.not_in_school_reason", pa.string()),
    ("health", "m.health", pa.string()),
    ("labour_skill", "m.labour_skill", pa.string()),
    ("work_place", "m.work_place", pa.string()),
    ("welfare_job", "m.welfare_job", pa.string()),
    ("dibao", "m.dibao", pa.string()),
    ("tekun", "m.tekun", pa.string()),
    ("resident_medical", "m.resident_medical", pa.bool_()),
    ("employee_medical", "m.employee_medical", pa.bool_()),
    ("critical_illness", "m.critical_illness", pa.bool_()),
    ("phone", "m.phone", pa.string()),
]
INCOME_COMPONENTS = (
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "claims",
    "out_of_pocket",
)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with every column of `schema`, in its order (missing ones null)."""
    n = table.num_rows
    columns = []
    for f in schema:
        if f.name in table.column_names:
            columns.append(table[f.name].cast(f.type))
        else:
            columns.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def registry_tables(area_code: str, *, first_year: int, as_of: date | None = None) -> dict[str, pa.Table]:
    """households (without income), members, measures, incomes. Measures: the categories of the national
    file's measure columns recorded on the household, and the structured plan measures (一户一策, assistance
    app) in place on `as_of` (start ≤ as_of ≤ end, or no end)."""
    from django.db import connection

    where, params = _area_where(area_code)
    households = _read(
        f"SELECT {', '.join(c[1] for c in H_SQL)} FROM registry_household h WHERE {where}", params, H_SQL
    )
    members = _read(
        f"SELECT {', '.join(c[1] for c in M_SQL)} FROM registry_member m "
        f"JOIN registry_household h ON h.id = m.household_id WHERE {where}",
        params,
        M_SQL,
    )
    measure_ids: list[int] = []
    measure_cats: list[str] = []
    known = set(MEASURE_CATEGORIES)
    with connection.cursor() as cur:
        cur.execute(f"SELECT h.id, h.measures_recorded FROM registry_household h WHERE {where}", params)
        while rows := cur.fetchmany(50_000):
            for hid, recorded in rows:
                if not recorded:
                    continue
                if isinstance(recorded, str):
                    if recorded in ("{}", "null"):
                        continue
                    recorded = json.loads(recorded)
                for category, text in recorded.items():
                    if category in known and str(text or "").strip():
                        measure_ids.append(hid)
                        measure_cats.append(category)
    planned_ids, planned_cats = _planned_measures(area_code, as_of or date.today())
    measures = pa.table(
        {
            "household_id": pa.array(measure_ids + planned_ids, pa.int64()),
            "category": pa.array(measure_cats + planned_cats, pa.string()),
        }
    )
    income_columns = [
        ("household_id", "i.household_id", pa.int64()),
        ("year", "i.year", pa.int64()),
        ("month", "i.month", pa.int64()),
        ("months", "i.months", pa.int64()),
        *[(c, _cents(f"i.{c}"), pa.int64()) for c in INCOME_COMPONENTS],
    ]
    incomes = _read(
        f"SELECT {', '.join(c[1] for c in income_columns)} FROM registry_incomerecord i "
        f"JOIN registry_household h ON h.id = i.household_id WHERE {where} AND i.year >= %s",
        [*params, first_year],
        income_columns,
    )
    households = _opened(
        households,
        {"phone": "registry.household.phone", "collector_phone": "registry.household.collector_phone"},
    )
    members = _opened(members, {"id_number": "registry.member.id_number", "phone": "registry.member.phone"})
    return {
        "households": households,
        "members": _conform(members, MEMBER_SCHEMA),
        "measures": measures,
        "incomes": incomes,
    }


def _opened(table: pa.Table, columns: dict[str, str]) -> pa.Table:
    """`table` with its encrypted columns (ID numbers, phones; core/crypto.py) decrypted in bulk, in
    memory only: the rules check ID validity, duplicates and phone formats on the plain values."""
    from fanpin.core import crypto

    kr = crypto.keyring()
    for name, column in columns.items():
        if name not in table.column_names:
            continue
        at = table.column_names.index(name)
        values = crypto.decrypt_many(table[name].to_pylist(), column=column, kr=kr)
        table = table.set_column(at, name, pa.array(values, pa.string()))
    return table


# The plan's category names where the national file's measure column is named differently.
PLAN_CATEGORY_COLUMNS = {"其他教育帮扶": "教育帮扶"}


def _planned_measures(area_code: str, on: date) -> tuple[list[int], list[str]]:
    """(household ids, category names) of the structured measures in place on `on`."""
    from django.db.models import Q

    from fanpin.assistance.choices import CATEGORY_NAMES
    from fanpin.assistance.models import Measure
    from fanpin.core.scope import household_fields

    qs = Measure.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))
    if area_code:
        qs = qs.filter(**{household_fields("household__")[len(area_code)]: area_code})
    ids: list[int] = []
    categories: list[str] = []
    for hid, code in qs.values_list("household_id", "category").distinct():
        name = CATEGORY_NAMES.get(code, "")
        name = PLAN_CATEGORY_COLUMNS.get(name, name)
        if name in MEASURE_CATEGORIES:
            ids.append(hid)
            categories.append(name)
    return ids, categories


def with_income(households: pa.Table, window: pa.Table) -> pa.Table:
    """The registry's households with their 12-month income (window_income output) attached."""
    window = window.select(["household_id", "months_covered", *INCOME_COMPONENTS]).rename_columns(
        ["household_id", "income_months", *INCOME_COMPONENTS]
    )
    joined = households.join(window, "household_id", join_type="left outer")
    return _conform(joined, HOUSEHOLD_SCHEMA)


# ---- Uploaded files ------------------------------------------------------------------------------


@dataclass
class StagedFile:
    """An uploaded file read for checking: engine tables, each household's code/row/village, issues."""

    households: pa.Table
    members: pa.Table
    measures: pa.Table
    codes: dict[int, tuple[str, int, str | None]] = field(default_factory=dict)  # id → (code, row, village)
    names: dict[int, str] = field(default_factory=dict)  # member id → name
    issues: list = field(default_factory=list)
    rows: int = 0


def _cents_of(value) -> int | None:
    if value is None:
        return None
    try:
        return int((Decimal(str(value).replace(",", "")) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return None


def stage_upload(
    *, path, file_name: str, area_code: str, today: date | None = None, on_progress=None
) -> StagedFile:
    from fanpin.registry.national.parse import _ERR, ABSENT, parse_national

    result = parse_national(
        path=path, file_name=file_name, area_code=area_code, today=today, on_progress=on_progress
    )
    layout = result.layout
    staged = StagedFile(
        households=HOUSEHOLD_SCHEMA.empty_table(),
        members=MEMBER_SCHEMA.empty_table(),
        measures=MEASURE_SCHEMA.empty_table(),
        issues=result.issues,
        rows=result.rows,
    )
    if layout is None:
        return staged

    def clean(value):
        return None if value is _ERR or value is ABSENT else value

    h_rows, m_rows, ms_rows = [], [], []
    member_id = 0
    for hid, (code, household) in enumerate(result.households.items(), start=1):
        first = household.first
        values: dict = {}
        for k, (label, kind, name) in enumerate(layout.keys):
            v = clean(first[k])
            if kind == "measure":
                if v and str(v).strip() and label in MEASURE_CATEGORIES:
                    ms_rows.append({"household_id": hid, "category": label})
            elif kind in ("household", "income", "risks"):
                values[name] = v
        declared = dict(zip(layout.declared_fields, household.declared, strict=True))
        income = {c: _cents_of(values.get(c)) for c in INCOME_COMPONENTS}
        size_text = (declared.get("size") or "").strip()
        row = {
            **{k: v for k, v in values.items() if k in HOUSEHOLD_SCHEMA.names},
            **income,
            "household_id": hid,
            "row": household.row,
            "size": len(household.members),
            "declared_size": int(size_text) if size_text.isdigit() else None,
            "income_months": 12 if any(v is not None for v in income.values()) else 0,
            "stated_net": _cents_of(declared.get("net") or None),
            "stated_per_capita": _cents_of(declared.get("per_capita") or None),
        }
        h_rows.append(row)
        staged.codes[hid] = (code, household.row, clean(first[layout.village_k]))
        for number, _extra, mv, id_type, id_number, _birth, _sex in household.members:
            member_id += 1
            mvals = {f: clean(mv[k]) for k, f in enumerate(layout.member_fields)}
            birth_raw = mv[layout.birth_k] if layout.birth_k is not None else None
            birth = clean(birth_raw)
            m_rows.append(
                {
                    **{k: v for k, v in mvals.items() if k in MEMBER_SCHEMA.names},
                    "member_id": member_id,
                    "household_id": hid,
                    "row": number,
                    "id_type": id_type or "居民身份证",
                    "id_number": id_number,
                    "birth_date": date.fromisoformat(birth) if isinstance(birth, str) else birth,
                    "birth_invalid": birth_raw is _ERR,
                }
            )
            staged.names[member_id] = mvals.get("name") or ""
    staged.households = arrow_table(h_rows, HOUSEHOLD_SCHEMA)
    staged.members = arrow_table(m_rows, MEMBER_SCHEMA)
    staged.measures = arrow_table(ms_rows, MEASURE_SCHEMA)
    return staged

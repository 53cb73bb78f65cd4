"""Read the registry of an area into Arrow tables for the engine (amounts in cents, booleans, dates).

Reads in chunks through the Django connection, so it works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
from datetime import date

import pyarrow as pa
from django.db import connection

from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS

CHUNK = 100_000
COPY = True  # PostgreSQL: read through COPY … TO STDOUT (bench/monitoring_bench.py --no-copy compares)
INCOME_COMPONENTS = (
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "claims",
    "out_of_pocket",
)

HOUSEHOLD_COLUMNS = [
    ("household_id", "h.id", pa.int64()),
    ("household_type", "h.household_type", pa.string()),
    ("county_code", "h.county_code", pa.string()),
    ("size", "h.size", pa.int64()),
    ("whole_no_labour", "h.whole_no_labour", pa.bool_()),
    ("house_grade", "h.house_grade", pa.string()),
    ("house_dangerous", "h.house_dangerous", pa.bool_()),
    ("water_secured", "h.water_secured", pa.bool_()),
    ("water_quantity_ok", "h.water_quantity_ok", pa.bool_()),
    ("water_quality_ok", "h.water_quality_ok", pa.bool_()),
    ("water_convenience_ok", "h.water_convenience_ok", pa.bool_()),
    ("water_reliability_ok", "h.water_reliability_ok", pa.bool_()),
    ("dropout", "h.dropout", pa.bool_()),
    ("member_uninsured", "h.member_uninsured", pa.bool_()),
]
MEMBER_COLUMNS = [
    ("household_id", "m.household_id", pa.int64()),
    ("birth_date", "m.birth_date", pa.date32()),
    ("health", "m.health", pa.string()),
    ("labour_skill", "m.labour_skill", pa.string()),
    ("resident_medical", "m.resident_medical", pa.bool_()),
    ("employee_medical", "m.employee_medical", pa.bool_()),
    ("school_status", "m.school_status", pa.string()),
    ("not_in_school_reason", "m.not_in_school_reason", pa.string()),
]


def _cents(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"ROUND({column} * 100)::bigint"
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def _area_where(area_code: str) -> tuple[str, list]:
    if not area_code:
        return "1 = 1", []
    field = HOUSEHOLD_CODE_FIELDS[len(area_code)]
    return f"h.{field} = %s", [area_code]


def _convert(value, arrow_type):
    if arrow_type == pa.bool_() and value is not None:
        return bool(value)
    if arrow_type == pa.date32() and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def read_table(sql: str, params: list, columns: list[tuple[str, str, pa.DataType]]) -> pa.Table:
    """The rows of `sql` as an Arrow table of `columns` (name, SQL expression, Arrow type)."""
    if COPY and connection.vendor == "postgresql":
        return _copy_table(sql, params, columns)
    names = [c[0] for c in columns]
    types = [c[2] for c in columns]
    needs_conversion = [t in (pa.bool_(), pa.date32()) for t in types]
    batches = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            arrays = []
            for i, (arrow_type, convert) in enumerate(zip(types, needs_conversion, strict=True)):
                values = [r[i] for r in rows]
                if convert:
                    values = [_convert(v, arrow_type) for v in values]
                arrays.append(pa.array(values, type=arrow_type))
            batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
    schema = pa.schema(list(zip(names, types, strict=True)))
    return pa.Table.from_batches(batches, schema=schema)


class _CopyReader(io.RawIOBase):
    """The bytes of a running COPY … TO STDOUT as a file, so Arrow parses them as they come."""

    def __init__(self, copy):
        self.blocks = iter(copy)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self.pending:
            try:
                self.pending = bytes(next(self.blocks))
            except StopIteration:
                return 0
        n = min(len(b), len(self.pending))
        b[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def _copy_table(sql: str, params: list, columns: list[tuple[str, str, pa.DataType]]) -> pa.Table:
    """PostgreSQL: COPY (query) TO STDOUT as CSV, parsed by Arrow while it streams — several times
    faster than fetching Python tuples, and the text is never held whole (bench/monitoring_bench.py)."""
    import pyarrow.csv as pcsv

    names = [c[0] for c in columns]
    schema = pa.schema([(c[0], c[2]) for c in columns])
    connection.ensure_connection()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params) if params else sql
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            stream = io.BufferedReader(_CopyReader(copy), buffer_size=1 << 20)
            if not stream.peek(1):
                return schema.empty_table()
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(column_names=names, block_size=8 << 20),
                convert_options=pcsv.ConvertOptions(
                    column_types={c[0]: c[2] for c in columns},
                    true_values=["t"],
                    false_values=["f"],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
            try:
                return pa.Table.from_batches(list(reader), schema=schema)
            finally:
                reader.close()  # the reader's read-ahead thread must be done before the COPY ends


def extract_area(area_code: str, *, first_year: int) -> dict[str, pa.Table]:
    """households, members and incomes (from `first_year` on) of the households in `area_code`."""
    where, params = _area_where(area_code)
    households = read_table(
        f"SELECT {', '.join(c[1] for c in HOUSEHOLD_COLUMNS)} FROM registry_household h WHERE {where}",
        params,
        HOUSEHOLD_COLUMNS,
    )
    members = read_table(
        f"SELECT {', '.join(c[1] for c in MEMBER_COLUMNS)} FROM registry_member m "
        f"JOIN registry_household h ON h.id = m.household_id WHERE {where}",
        params,
        MEMBER_COLUMNS,
    )
    income_columns = [
        ("household_id", "i.household_id", pa.int64()),
        ("year", "i.year", pa.int64()),
        ("month", "i.month", pa.int64()),
        ("months", "i.months", pa.int64()),
        *[(c, _cents(f"i.{c}"), pa.int64()) for c in INCOME_COMPONENTS],
    ]
    incomes = read_table(
        f"SELECT {', '.join(c[1] for c in income_columns)} FROM registry_incomerecord i "
        f"JOIN registry_household h ON h.id = i.household_id WHERE {where} AND i.year >= %s",
        [*params, first_year],
        income_columns,
    )
    return {"households": households, "members": members, "incomes": incomes}


def household_ids_table(ids) -> pa.Table:
    return pa.table({"household_id": pa.array(sorted(set(ids)), type=pa.int64())})


_read = read_table  # the name fanpin.quality.extract imports

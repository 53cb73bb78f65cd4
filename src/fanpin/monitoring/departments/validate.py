"""Validate a chunk of a department file at column speed, with the row-by-row rules as the judge.

The fast path is one DuckDB query over the chunk: it accepts only rows in the plain forms (ASCII ID of
18 characters with a valid date and check character, amounts like 1234.56 or 1,234.56, years like 2025,
months like 2025-03 or 202503, choices exactly as listed, no spaces around any cell) and computes
their values. Every other row — a malformed ID, an impossible amount, but also an ID typed with spaces
or a full-width digit — goes to fanpin.monitoring.departments.parse.parse_row, which decides (it may
keep the row) and words the issues. So a row is kept or refused exactly as parse_row would decide;
the fast path only makes the common case quick (tests compare both on the same rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa

from fanpin.monitoring.departments.formats import MAX_AMOUNT_YUAN, SourceFormat
from fanpin.monitoring.departments.parse import Issue, Parsed, parse_row
from fanpin.registry.idnumber import CHECK_CHARS, EARLIEST_BIRTH, PROVINCE_CODES, WEIGHTS

# Python's str.strip() whitespace; a fast-path cell has none of it at either end.
WS = r"[\s\p{Z}\x0b\x1c-\x1f\x85]"
MONTH_RE = r"([0-9]{4})[-/.年]?([0-9]{1,2})(月|[-/.][0-9]{1,2})?"
VALUE_COLUMNS = ("year", "month", "amount", "total_cost", "category", "status")
VALID_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("year", pa.int64()),
        ("month", pa.int64()),
        ("amount", pa.int64()),
        ("total_cost", pa.int64()),
        ("category", pa.string()),
        ("status", pa.string()),
    ]
)


@dataclass
class ChunkResult:
    valid: pa.Table
    issues: list[Issue] = field(default_factory=list)
    bad_rows: int = 0
    rows: int = 0  # non-blank rows


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class ChunkValidator:
    def __init__(self, fmt: SourceFormat, header: list[str], names: list[str], *, today: date | None = None):
        self.fmt = fmt
        self.header = header
        self.names = names
        # The same column choice as parse_row: a repeated header name means its last column.
        index = {name: i for i, name in enumerate(header) if name}
        self.col = {name: _col(names[i]) for name, i in index.items()}
        self.own = [c for c in fmt.columns if c.name in index and c.name not in ("证件号码", "姓名")]
        self.sql = self._sql(today or date.today())
        self.con = duckdb.connect()

    def _clean(self, expr: str) -> str:
        return f"NOT regexp_matches({expr}, '^{WS}|{WS}$')"

    def _sql(self, today: date) -> str:
        idc = self.col["证件号码"]
        name = self.col["姓名"]
        checksum = " + ".join(
            f"TRY_CAST(substr(i, {k + 1}, 1) AS INTEGER) * {w}" for k, w in enumerate(WEIGHTS)
        )
        check = "substr(" + _q(CHECK_CHARS) + f", (({checksum}) % 11) + 1, 1)"
        provinces = ", ".join(_q(p) for p in sorted(PROVINCE_CODES))
        id_ok = (
            f"regexp_full_match({idc}, '[0-9]{{17}}[0-9Xx]') AND substr(i, 1, 2) IN ({provinces}) "
            f"AND try_strptime(substr(i, 7, 8), '%Y%m%d') BETWEEN DATE {_q(EARLIEST_BIRTH.isoformat())} "
            f"AND DATE {_q(today.isoformat())} AND substr(i, 18, 1) = {check}"
        )
        oks = [id_ok, f"{name} <> ''", self._clean(name)]
        values = {k: "NULL" for k in VALUE_COLUMNS}
        for c in self.own:
            x = self.col[c.name]
            empty = f"{x} = ''"
            if c.kind == "amount":
                cleaned = f"replace(replace({x}, ',', ''), '，', '')"
                number = f"TRY_CAST({cleaned} AS DECIMAL(18, 6))"
                ok = (
                    f"regexp_full_match({cleaned}, '[0-9]{{1,12}}(\\.[0-9]{{1,6}})?') "
                    f"AND {number} <= {MAX_AMOUNT_YUAN}"
                )
                value = f"CAST(ROUND({number} * 100) AS BIGINT)"
            elif c.kind == "year":
                ok = f"regexp_full_match({x}, '[0-9]{{4}}年?') AND TRY_CAST(substr({x}, 1, 4) AS INTEGER) BETWEEN 2000 AND 2100"
                value = f"TRY_CAST(substr({x}, 1, 4) AS BIGINT)"
            elif c.kind == "month":
                y = f"TRY_CAST(regexp_extract({x}, '^{MONTH_RE}$', 1) AS INTEGER)"
                m = f"TRY_CAST(regexp_extract({x}, '^{MONTH_RE}$', 2) AS INTEGER)"
                ok = f"regexp_full_match({x}, '{MONTH_RE}') AND {y} BETWEEN 2000 AND 2100 AND {m} BETWEEN 1 AND 12"
                value = f"CAST({m} AS BIGINT)"
                values["_month_year"] = f"CASE WHEN {empty} THEN NULL ELSE CAST({y} AS BIGINT) END"
            elif c.kind == "choice":
                ok = f"{x} IN ({', '.join(_q(v) for v in c.choices)})"
                value = x
            else:
                ok = self._clean(x)
                value = x
            required = c.kind in ("amount", "choice") and c.required
            oks.append(f"(({ok}) IS TRUE)" if required else f"({empty} OR ({ok}) IS TRUE)")
            if c.engine or c.kind in ("year", "month"):
                target = {"year": "year", "month": "month"}.get(c.kind, c.engine)
                values[target] = f"CASE WHEN {empty} THEN NULL ELSE {value} END"
        for group in self.fmt.one_of:
            present = [self.col[n] for n in group if n in self.col]
            oks.append("(" + " OR ".join(f"{p} <> ''" for p in present) + ")" if present else "FALSE")
        if "_month_year" in values:
            values["year"] = f"coalesce({values['year']}, {values.pop('_month_year')})"
        blank = " AND ".join(f"{_col(n)} = ''" for n in self.names) or "TRUE"
        return (
            f"WITH t AS (SELECT *, upper({idc}) AS i FROM chunk), "
            f"c AS (SELECT *, ({' AND '.join(f'({o}) IS TRUE' for o in oks)}) AS ok, ({blank}) AS blank FROM t) "
            f"SELECT __row AS row, ok, blank, i AS id_number, {name} AS name, "
            + ", ".join(f"CASE WHEN ok THEN {values[k]} END AS {k}" for k in VALUE_COLUMNS)
            + " FROM c WHERE NOT blank"
        )

    def validate(self, first_row: int, table: pa.Table) -> ChunkResult:
        chunk = table.append_column(
            "__row", pa.array(range(first_row, first_row + table.num_rows), pa.int64())
        )
        self.con.register("chunk", chunk)
        try:
            out = self.con.sql(self.sql).to_arrow_table()
        finally:
            self.con.unregister("chunk")
        ok = out.column("ok")
        fast = out.filter(ok).select(VALID_SCHEMA.names).cast(VALID_SCHEMA)
        result = ChunkResult(valid=fast, rows=out.num_rows)
        slow_rows = out.filter(pa.compute.invert(ok)).column("row").to_pylist()
        if not slow_rows:
            return result
        parsed: list[Parsed] = []
        positions = pa.array([r - first_row for r in slow_rows], pa.int64())
        slow = table.take(positions)
        columns = [slow.column(i).to_pylist() for i in range(slow.num_columns)]
        for k, number in enumerate(slow_rows):
            cells = [(c[k] or "").strip() for c in columns]
            if not any(cells):
                result.rows -= 1
                continue
            problems = []
            for item in parse_row(number, cells, self.header, self.fmt):
                if isinstance(item, Issue):
                    problems.append(item)
                else:
                    parsed.append(item)
            if problems:
                result.issues.extend(problems)
                result.bad_rows += 1
        if parsed:
            rescued = pa.table(
                {
                    "row": [p.row for p in parsed],
                    "id_number": [p.id_number for p in parsed],
                    "name": [p.name for p in parsed],
                    **{k: [p.values.get(k) for p in parsed] for k in VALUE_COLUMNS},
                },
                schema=VALID_SCHEMA,
            )
            result.valid = pa.concat_tables([fast, rescued])
        return result

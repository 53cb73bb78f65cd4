"""Write 《（自定义）监测对象信息》 for an area: two title rows, the header, one row per member, all
cells text, streamed in constant memory.

Built for provinces (a million rows in well under a minute):
- No model instances. Households come from one streaming cursor in 户编号 order (server-side on
  PostgreSQL); members and income totals CHUNK households at a time, by household id.
- The database writes the file's text (是/否, YYYYMMDD, amounts with 2 decimals) and joins each run of
  repeating columns (户类型…, 监测对象类别…, 文化程度…) into one key with SEP between the values: one string
  per run instead of one per cell, and a run's cells are rendered once per distinct key.
- Income: the database sums the monthly records of the 12-month window in integer cents; households
  with annual records get the window in Python on integers (registry.income.window_cents: the same
  window and rounding as income_over_12_months, to the cent).
- The sheet is written by core.xlsx_stream: a household's cells are rendered once and repeated on each
  member row, repeating values go through the shared-strings table, compression runs in another thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import connections
from django.db.models.expressions import RawSQL

from fanpin.core import crypto
from fanpin.core.fields import EncryptedCharField
from fanpin.core.xlsx_stream import EMPTY, XlsxStream, cell_inline
from fanpin.core.xlsx_stream import HEADER as HEADER_STYLE
from fanpin.core.xlsx_stream import TITLE as TITLE_STYLE
from fanpin.registry.income import FIELDS, cents_text, per_capita_cents, window_cents
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.national.columns import COLUMNS, HEADERS, TITLE, Column
from fanpin.registry.national.places import PlaceIndex

CHUNK = 2000
SHEET_NAME = "监测对象信息"
COLUMN_WIDTH = 14
SEP = "\x1f"  # between the values of a run; a value holding it is rendered the slow way
RUN_CACHE = 10_000  # rendered keys kept per run
COMPRESSLEVEL = 3  # zlib level of the sheet: as fast as 1, a quarter smaller (bench/results/export.md)
MAX_SHARED = 100_000  # entries of the shared-strings table; beyond it values are written inline

# Values (nearly) unique per row or household are written inline; the others repeat (places, types,
# 是/否, months, …) and go through the shared-strings table. Dates are shared but kept out of runs.
INLINE_FIELDS = {"code", "name", "id_number", "phone", "collector_phone"}
ALONE_FIELDS = {"collector"}
INCOME_ORDER = ("wage", "business", "property_income", "transfer", "business_cost", "net", "per_capita")
INCOME_ORDER += ("claims", "out_of_pocket")


# --- SQL that yields the file's text -----------------------------------------------------------------
class _Sql:
    """Expressions in the database's dialect (SQLite or PostgreSQL)."""

    def __init__(self, connection):
        self.pg = connection.vendor == "postgresql"
        self.q = connection.ops.quote_name

    def column(self, table: str, name: str) -> str:
        return f"{self.q(table)}.{self.q(name)}"

    def text(self, col: str, kind: str) -> str:
        if kind == "yesno":
            return f"CASE WHEN {col} IS NULL THEN '' WHEN {col} THEN '是' ELSE '否' END"
        if kind == "date8":
            if self.pg:
                return f"COALESCE(to_char({col}, 'YYYYMMDD'), '')"
            return f"COALESCE(replace({col}, '-', ''), '')"
        if kind == "decimal":
            if self.pg:
                return f"COALESCE(CAST({col} AS text), '')"
            return f"CASE WHEN {col} IS NULL THEN '' ELSE printf('%%.2f', {col}) END"
        if kind == "json":
            return f"COALESCE({self.json(col)}, '')"
        return f"COALESCE({col}, '')"

    def json(self, col: str) -> str:
        """A JSON object as text, NULL when empty."""
        if self.pg:
            return f"CASE WHEN {col} = '{{}}'::jsonb THEN NULL ELSE CAST({col} AS text) END"
        return f"CASE WHEN {col} = '{{}}' THEN NULL ELSE {col} END"

    def cell(self, text: str) -> str:
        """An inline text cell holding text (no escaping: for digits)."""
        return f"CASE WHEN {text} = '' THEN '<c/>' ELSE '<c t=\"inlineStr\"><is><t>' || {text} || '</t></is></c>' END"

    def concat(self, exprs: list[str]) -> str:
        return f" || {'chr' if self.pg else 'char'}(31) || ".join(exprs)

    def ids_in(self, col: str) -> str:
        """col among the ids passed as one parameter (see ids_param)."""
        if self.pg:
            return f"{col} = ANY(%s)"
        return f"{col} IN (SELECT value FROM json_each(%s))"

    def ids_param(self, ids: list[int]):
        return list(ids) if self.pg else "[" + ",".join(map(str, ids)) + "]"

    def cents_sum(self, col: str) -> str:
        """SUM of a 2-decimal amount, in integer cents, exact."""
        if self.pg:
            return f"CAST(SUM({col}) * 100 AS BIGINT)"
        return f"SUM(CAST(ROUND({col} * 100) AS INTEGER))"

    def cents(self, col: str) -> str:
        return f"CAST(ROUND({col} * 100) AS BIGINT)"


# --- The layout: the columns in parts, each part one select item ------------------------------------
class _Collision(Exception):
    """A value holds SEP: this row is rendered from its separately selected values."""


def _source(col: Column) -> tuple[str, str]:
    """(model field, kind of text) a column's value comes from."""
    if col.kind == "risk":
        return "risk_types", "text"
    if col.kind == "measure":
        return "measures_recorded", "json"
    return col.field, col.kind


@dataclass
class _Part:
    """Adjacent columns of one level rendered together. kind:
    place, size, income — from Python (place names, the member count, the income window);
    inline — one text column written inline (escaped in Python);
    xml — amounts: the database writes the cells themselves (digits need no escaping);
    run — repeating columns: one key of the values joined by SEP, its cells rendered once per key."""

    kind: str
    columns: list[Column]
    sources: list[tuple[str, str]] = field(default_factory=list)

    def add(self, col: Column) -> None:
        self.columns.append(col)
        if _source(col) not in self.sources:
            self.sources.append(_source(col))


def _alone(col: Column) -> bool:
    return col.kind == "date8" or col.field in ALONE_FIELDS


def _parts(columns: list[Column]) -> list[_Part]:
    parts: list[_Part] = []
    for col in columns:
        if col.kind == "place":
            kind = "place"
        elif col.header == "家庭人口数":
            kind = "size"
        elif col.level == "income":
            kind = "income"
        elif col.kind == "decimal":
            kind = "xml"
        elif col.field in INLINE_FIELDS:
            kind = "inline"
        else:
            kind = "run"
        last = parts[-1] if parts else None
        # Dates and names repeat, but hardly with the same neighbours: they stand alone.
        joins = kind != "inline" and not _alone(col) and last is not None and not _alone(last.columns[-1])
        if joins and last.kind == kind:
            last.add(col)
        else:
            parts.append(_Part(kind, []))
            parts[-1].add(col)
    return parts


def _segments() -> list[tuple[str, list[_Part]]]:
    """Runs of household columns and of member columns, in the file's order, each in parts."""
    segments: list[tuple[str, list[Column]]] = []
    for col in COLUMNS:
        level = "member" if col.level == "member" else "household"
        if not segments or segments[-1][0] != level:
            segments.append((level, []))
        segments[-1][1].append(col)
    return [(level, _parts(cols)) for level, cols in segments]


SEGMENTS = _segments()
HOUSEHOLD_PARTS = [p for level, parts in SEGMENTS if level == "household" for p in parts]
MEMBER_PARTS = [p for level, parts in SEGMENTS if level == "member" for p in parts]
SELECTED = ("inline", "xml", "run")  # the parts with a select item


def _select(sql: _Sql, table: str, parts: list[_Part]) -> list[str]:
    """One select item per inline, xml or run part."""
    items = []
    for part in parts:
        exprs = [sql.text(sql.column(table, f), kind) for f, kind in part.sources]
        if part.kind == "xml":
            items.append(" || ".join(sql.cell(e) for e in exprs))
        elif part.kind in SELECTED:
            items.append(exprs[0] if len(exprs) == 1 else sql.concat(exprs))
    return items


# --- Rendering ---------------------------------------------------------------------------------------
def _segment_exprs(level: str, prefix: str, fixed: dict[str, str]) -> list[str]:
    """Python expressions, one per segment of the level: b''.join((cells…)). The select items of the
    level's rows are row[2], row[3], … rendered by {prefix}2, {prefix}3, …; fixed: the expressions of
    the place, size and income parts."""
    out = []
    index = 2
    for seg_level, parts in SEGMENTS:
        if seg_level != level:
            continue
        items = []
        for part in parts:
            if part.kind in SELECTED:
                items.append(f"{prefix}{index}(row[{index}])")
                index += 1
            else:
                items.append(fixed[part.kind])
        out.append(f"b''.join(({', '.join(items)},))")
    return out


def _sealed_column(col: Column) -> str | None:
    """The crypto column name of an encrypted field (core/fields.py), else None."""
    model = Member if col.level == "member" else Household
    try:
        f = model._meta.get_field(col.field)
    except Exception:  # noqa: BLE001 - place, size and income columns are no model fields
        return None
    return f.crypto_column if isinstance(f, EncryptedCharField) else None


class _Renderer:
    """Cells as bytes. household(row, size, income cells) → one bytes per household segment;
    member_row(row, household segments, tail) → a member's whole <row>…</row>."""

    def __init__(self, sheet: XlsxStream, places: PlaceIndex):
        self.sheet = sheet
        self.places = places
        self.place_cells: dict[str, bytes] = {}
        self.size_cells: dict[int, bytes] = {}
        # Generated code: one call per household and per member, not a loop over the parts.
        env: dict = {"_place": self.place, "_size": self.size}
        for prefix, parts in (("h", HOUSEHOLD_PARTS), ("m", MEMBER_PARTS)):
            for index, part in enumerate((p for p in parts if p.kind in SELECTED), start=2):
                env[f"{prefix}{index}"] = self._render(part)
        fixed = {"place": "_place(row[1])", "size": "_size(size)", "income": "income"}
        household = _segment_exprs("household", "h", fixed)
        member = iter(_segment_exprs("member", "m", {}))
        pieces, h = [], 0
        for level, _parts in SEGMENTS:
            if level == "member":
                pieces.append(next(member))
            else:
                pieces.append(f"hs[{h}]")
                h += 1
        source = (
            "def household(row, size, income):\n"
            f"    return [{', '.join(household)}]\n"
            "def member_row(row, hs, tail):\n"
            f"    return b''.join((b'<row>', {', '.join(pieces)}, tail))\n"
        )
        exec(compile(source, "<national export rows>", "exec"), env)  # noqa: S102
        self.household = env["household"]
        self.member_row = env["member_row"]

    def _render(self, part: _Part) -> Callable[[str], bytes]:
        if part.kind == "inline":
            column = _sealed_column(part.columns[0])
            if column is not None:  # encrypted at rest: decrypted here, for this file only
                decrypt, kr = crypto.decrypt, crypto.keyring()
                return lambda value: cell_inline(decrypt(value, column=column, kr=kr) if value else value)
            return cell_inline
        if part.kind == "xml":
            return str.encode
        if len(part.columns) == 1 and part.columns[0].kind not in ("risk", "measure"):
            # One plain column: the shared-strings table remembers the rendered cell.
            get, shared = self.sheet.shared_get, self.sheet.cell_shared
            return lambda value: get(value) or shared(value)
        width = len(part.sources)
        values_cells = self.values_cells
        cache: dict[str, bytes] = {}
        get = cache.get

        def run(key: str) -> bytes:
            cells = get(key)
            if cells is None:
                values = key.split(SEP)
                if len(values) != width:
                    raise _Collision
                cells = values_cells(part, values)
                if len(cache) < RUN_CACHE:
                    cache[key] = cells
            return cells

        return run

    def values_cells(self, part: _Part, values: list[str]) -> bytes:
        """The cells of a part from its source values (in part.sources order)."""
        shared = self.sheet.cell_shared
        by_source = dict(zip((f for f, _k in part.sources), values, strict=True))
        cells = []
        for col in part.columns:
            if col.kind == "risk":
                risks = [r for r in by_source["risk_types"].split("|") if r]
                n = int(col.field[-1])
                value = risks[n - 1] if len(risks) >= n else ""
            elif col.kind == "measure":
                measures = json.loads(by_source["measures_recorded"] or "{}")
                value = measures.get(col.header) if isinstance(measures, dict) else None
                value = "" if value is None else value if isinstance(value, str) else str(value)
            else:
                value = by_source[col.field]
                column = _sealed_column(col)
                if column is not None and value:
                    value = crypto.decrypt(value, column=column)
            cells.append(shared(value) if part.kind == "run" else cell_inline(value))
        return b"".join(cells)

    def place(self, village_id: str) -> bytes:
        cells = self.place_cells.get(village_id)
        if cells is None:
            shared = self.sheet.cell_shared
            cells = b"".join(shared(name) for name in self.places.names(village_id))
            if len(self.place_cells) < 100_000:
                self.place_cells[village_id] = cells
        return cells

    def size(self, n: int) -> bytes:
        cell = self.size_cells.get(n)
        if cell is None:
            cell = self.size_cells[n] = self.sheet.cell_shared(str(n))
        return cell

    def slow_segments(
        self, level: str, row: tuple, values: dict[str, str], size=0, income=b""
    ) -> list[bytes]:
        """The segments of one level from source values selected one by one (a value held SEP)."""
        out = []
        for seg_level, parts in SEGMENTS:
            if seg_level != level:
                continue
            cells = []
            for part in parts:
                if part.kind == "place":
                    cells.append(self.place(row[1]))
                elif part.kind == "size":
                    cells.append(self.size(size))
                elif part.kind == "income":
                    cells.append(income)
                else:
                    cells.append(self.values_cells(part, [values[f] for f, _k in part.sources]))
            out.append(b"".join(cells))
        return out


def _extra_cells(extra_headers: list[str], text: str | None) -> bytes:
    """The cells of the unknown columns (Member.extra), after the national ones."""
    if not text:
        return b""
    extra = json.loads(text)
    cells = []
    for key in extra_headers:
        value = extra.get(key)
        value = "" if value is None else value if isinstance(value, str) else str(value)
        cells.append(cell_inline(value))
    return b"".join(cells)


# --- Income ------------------------------------------------------------------------------------------
def _income_text(components, size: int) -> tuple[str, ...]:
    wage, business, property_income, transfer, cost, claims, out_of_pocket = components
    net = wage + business + property_income + transfer - cost
    per_capita = per_capita_cents(net, size)
    return (
        cents_text(wage),
        cents_text(business),
        cents_text(property_income),
        cents_text(transfer),
        cents_text(cost),
        cents_text(net),
        cents_text(per_capita, negative=net < 0),
        cents_text(claims),
        cents_text(out_of_pocket),
    )


_CELLS_BETWEEN = '</t></is></c><c t="inlineStr"><is><t>'
INCOME_COLUMNS = [c.field for c in COLUMNS if c.level == "income"]
assert INCOME_COLUMNS == list(INCOME_ORDER), INCOME_COLUMNS


def _income_cells(texts: tuple[str, ...] | None) -> bytes:
    if texts is None:
        return EMPTY * len(INCOME_ORDER)
    # amounts: digits, "." and "-", nothing to escape
    return ('<c t="inlineStr"><is><t>' + _CELLS_BETWEEN.join(texts) + "</t></is></c>").encode()


class _Incomes:
    """The income cells of a chunk of households: the 12 months ending with December of `year`, or
    (year None) with the latest month the household's records cover, as latest_window."""

    def __init__(self, sql: _Sql, cursor, ids: list[int], year: int | None):
        t = sql.q(IncomeRecord._meta.db_table)
        sums = ", ".join(sql.cents_sum("r." + f) for f in FIELDS)
        monthly = "r.months <> 12 AND r.month BETWEEN 1 AND 12"
        param = sql.ids_param(ids)
        if year:
            cursor.execute(
                f"SELECT r.household_id, COUNT(*), {sums} FROM {t} r"
                f" WHERE {sql.ids_in('r.household_id')} AND r.year = %s AND {monthly} GROUP BY r.household_id",
                (param, year),
            )
            self.totals = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT DISTINCT household_id, {year * 1000 + 12} FROM {t}"
                f" WHERE {sql.ids_in('household_id')} AND year = %s AND months = 12",
                (param, year),
            )
        else:
            # The window ends with the latest month any record covers: max of (year, month + months - 1).
            end = "MAX(year * 1000 + month + months - 1)"
            last = "(e.k / 1000) * 12 + e.k %% 1000 - 1"
            cursor.execute(
                f"SELECT r.household_id, COUNT(*), {sums} FROM {t} r JOIN"
                f" (SELECT household_id, {end} AS k FROM {t} WHERE {sql.ids_in('household_id')}"
                " GROUP BY household_id) e ON e.household_id = r.household_id"
                f" WHERE {sql.ids_in('r.household_id')} AND {monthly}"
                f" AND r.year * 12 + r.month - 1 BETWEEN {last} - 11 AND {last} GROUP BY r.household_id",
                (param, param),
            )
            self.totals = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT household_id, {end} FROM {t} WHERE {sql.ids_in('household_id')}"
                " GROUP BY household_id HAVING SUM(CASE WHEN months = 12 THEN 1 ELSE 0 END) > 0",
                (param,),
            )
        # Households with annual records: their records from the window's first year on.
        self.ends = {hid: divmod(key, 1000) for hid, key in cursor.fetchall()}
        self.records: dict[int, list[tuple]] = {}
        if self.ends:
            cents = ", ".join(sql.cents(f) for f in FIELDS)
            cursor.execute(
                f"SELECT household_id, year, month, months, {cents} FROM {t}"
                f" WHERE {sql.ids_in('household_id')} AND year >= %s"
                " ORDER BY household_id, year, month, months, id",
                (sql.ids_param(list(self.ends)), min(y for y, _m in self.ends.values()) - 1),
            )
            for row in cursor.fetchall():
                self.records.setdefault(row[0], []).append(row[1:])

    def text(self, household_id: int, size: int) -> tuple[str, ...] | None:
        end = self.ends.get(household_id)
        if end is not None:
            records = self.records.get(household_id, [])
            covered, components = window_cents(records, end_year=end[0], end_month=end[1])
        else:
            totals = self.totals.get(household_id)
            if totals is None:
                return None
            covered, components = totals[0], totals[1:]
        if not covered:
            return None
        return _income_text(components, size)


# --- Unknown columns (Member.extra) ------------------------------------------------------------------
def _extra_headers(households, sql: _Sql) -> list[str]:
    """Every key of Member.extra in the area, in the order of first appearance in the file."""
    connection = connections[households.db]
    member, household = sql.q(Member._meta.db_table), sql.q(Household._meta.db_table)
    sub, params = households.order_by().values("id").query.get_compiler(using=households.db).as_sql()
    if sql.pg:
        keys, key = "jsonb_object_keys(m.extra) k WHERE m.extra <> '{}'::jsonb", "k"
    else:
        keys, key = "json_each(m.extra) j WHERE m.extra <> '{}'", "j.key"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, MIN(h.code) FROM {member} m JOIN {household} h ON h.id = m.household_id, {keys}"
            f" AND m.household_id IN ({sub}) GROUP BY {key}",
            params,
        )
        first_code = {k: code for k, code in cursor.fetchall() if k not in HEADERS}
    if not first_code:
        return []
    # By the first household having the key, then as that household's members list them.
    order: list[str] = []
    for code in sorted(set(first_code.values())):
        for extra in (
            Member.objects.filter(household__code=code).order_by("id").values_list("extra", flat=True)
        ):
            for k in extra:
                if first_code.get(k) == code and k not in order:
                    order.append(k)
    return order + sorted(k for k in first_code if k not in order)


# --- Reading -----------------------------------------------------------------------------------------
def _households_sql(households, sql: _Sql) -> tuple[str, tuple]:
    table = Household._meta.db_table
    items = {"x0": sql.column(table, "id"), "x1": sql.column(table, "village_id")}
    for n, item in enumerate(_select(sql, table, HOUSEHOLD_PARTS), start=2):
        items[f"x{n}"] = item
    qs = (
        households.order_by("code")
        .annotate(**{k: RawSQL(v, ()) for k, v in items.items()})
        .values_list(*items)
    )
    query, params = qs.query.get_compiler(using=households.db).as_sql()
    return query, tuple(params)


def _members_sql(sql: _Sql, with_extra: bool) -> str:
    table = Member._meta.db_table
    items = [sql.column(table, "household_id"), sql.column(table, "id"), *_select(sql, table, MEMBER_PARTS)]
    if with_extra:
        items.append(sql.json(sql.column(table, "extra")))
    return (
        f"SELECT {', '.join(items)} FROM {sql.q(table)} WHERE {sql.ids_in(sql.column(table, 'household_id'))}"
        f" ORDER BY {sql.column(table, 'household_id')}, {sql.column(table, 'id')}"
    )


def _slow_values(cursor, sql: _Sql, model, pk: int, parts: list[_Part]) -> dict[str, str]:
    """A row's source values one by one (when one of them holds SEP)."""
    table = model._meta.db_table
    sources = list(dict.fromkeys(s for p in parts if p.kind in SELECTED for s in p.sources))
    exprs = [sql.text(sql.column(table, f), kind) for f, kind in sources]
    cursor.execute(
        f"SELECT {', '.join(exprs)} FROM {sql.q(table)} WHERE {sql.column(table, 'id')} = %s", (pk,)
    )
    return {f: v for (f, _k), v in zip(sources, cursor.fetchone(), strict=True)}


def _chunks(cursor) -> Iterator[list[tuple]]:
    while True:
        rows = cursor.fetchmany(CHUNK)
        if not rows:
            return
        yield rows


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
    connection = connections[households.db]
    connection.ensure_connection()
    sql = _Sql(connection)
    total = households.count()
    places = PlaceIndex(area_code)
    extra_headers = _extra_headers(households, sql)
    headers = HEADERS + extra_headers
    households_query, households_params = _households_sql(households, sql)
    members_query = _members_sql(sql, bool(extra_headers))
    done = 0
    end_row = b"</row>"
    with XlsxStream(
        path,
        sheet_name=SHEET_NAME,
        widths=[COLUMN_WIDTH] * len(headers),
        compresslevel=COMPRESSLEVEL,
        max_shared=MAX_SHARED,
    ) as sheet:
        sheet.write_row([TITLE], TITLE_STYLE)
        sheet.write_row(
            [f"区划：{area_name}（{area_code or '全部'}）  导出时间：{datetime.now():%Y-%m-%d %H:%M}"]
        )
        sheet.write_row(headers, HEADER_STYLE)
        render = _Renderer(sheet, places)
        household_segments, member_row = render.household, render.member_row
        # A streaming cursor: server-side on PostgreSQL; SQLite steps through the rows as asked.
        with connection.chunked_cursor() as stream, connection.cursor() as cursor:
            stream.execute(households_query, households_params)
            for chunk in _chunks(stream):
                ids = [h[0] for h in chunk]
                cursor.execute(members_query, (sql.ids_param(ids),))
                members: dict[int, list[tuple]] = {}
                for m in cursor.fetchall():
                    members.setdefault(m[0], []).append(m)
                incomes = _Incomes(sql, cursor, ids, year)
                rows: list[bytes] = []
                for h in chunk:
                    ms = members.get(h[0])
                    if not ms:
                        continue
                    size = len(ms)
                    income = _income_cells(incomes.text(h[0], size))
                    try:
                        hs = household_segments(h, size, income)
                    except _Collision:
                        values = _slow_values(cursor, sql, Household, h[0], HOUSEHOLD_PARTS)
                        hs = render.slow_segments("household", h, values, size, income)
                    for m in ms:
                        tail = _extra_cells(extra_headers, m[-1]) + end_row if extra_headers else end_row
                        try:
                            rows.append(member_row(m, hs, tail))
                        except _Collision:
                            values = _slow_values(cursor, sql, Member, m[1], MEMBER_PARTS)
                            ms_ = iter(render.slow_segments("member", m, values))
                            hs_ = iter(hs)
                            pieces = [next(ms_) if level == "member" else next(hs_) for level, _p in SEGMENTS]
                            rows.append(b"<row>" + b"".join(pieces) + tail)
                sheet.write_many(rows)
                done += len(chunk)
                if on_progress:
                    on_progress(min(done, total), total)
        rows_written = sheet.rows - 3
    return rows_written

"""households_synthesize: write synthetic households (合成农户) fast, on SQLite or PostgreSQL.

Generation is `fanpin.registry.synth` (pure). Writing bypasses the ORM, which is far too slow for a
million households: on SQLite the raw DB-API cursor's `executemany`, on PostgreSQL psycopg's
`cursor.copy()` (COPY … FROM STDIN), one transaction per chunk (into an empty PostgreSQL registry:
one transaction, foreign keys and secondary indexes rebuilt at the end, see _PostgresFreshLoad). Household ids are reserved up front
(SQLite: sqlite_sequence; PostgreSQL: the identity sequence), so members and incomes reference them
directly. With many households, forked child processes generate the chunks (county by county, each
county with its own random stream and id block, so the data do not depend on how many) while this
process writes.

The area must be empty (or `replace=True`, which deletes its households first, with everything that
hangs on them). If anything fails half-way, the households written so far are deleted again.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import queue as queue_module
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from fanpin.core import crypto
from fanpin.core.errors import ApplicationError
from fanpin.core.fields import RowSealer
from fanpin.core.services.audit import audit_record
from fanpin.divisions.choices import Level
from fanpin.divisions.models import Division
from fanpin.registry import synth
from fanpin.registry.models import Household, IncomeRecord, Member

AREA_FIELD = {2: "province_code", 4: "city_code", 6: "county_code", 9: "township_code", 12: "village_id"}
MAX_HOUSEHOLDS = 5_000_000
CHUNK = 5_000
PARALLEL_FROM = 20_000  # households; below this, child processes cost more than they save
FRESH_LOAD_FROM = 10_000  # households into empty tables on PostgreSQL: see _PostgresFreshLoad


@dataclass
class SynthResult:
    area_code: str
    area_name: str
    seed: int
    end: str
    households: int
    members: int
    incomes: int
    monitored: int
    deleted: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def parse_end(end: str | None, *, today: date | None = None) -> tuple[int, int]:
    """YYYYMM -> (year, month); default the month before today. Must be a finished month."""
    today = today or date.today()
    current = today.year * 12 + today.month - 1
    if not end:
        return (current - 1) // 12, (current - 1) % 12 + 1
    text = str(end).strip()
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 2000:
        raise ApplicationError(f"结束月份“{end}”无效，应为 YYYYMM，如 202510。")
    year, month = int(text[:4]), int(text[4:])
    if year * 12 + month - 1 >= current:
        last = current - 1
        raise ApplicationError(
            f"结束月份 {text} 尚未结束；收入最晚只能生成到 {last // 12}{last % 12 + 1:02d}。"
        )
    return year, month


def _area(area_code: str) -> tuple[str, list[synth.Village]]:
    """The area's name and its villages (村委会; 居委会/社区 only where there is nothing else)."""
    area_code = (area_code or "").strip()
    if area_code:
        area = Division.objects.filter(code=area_code).first()
        if area is None:
            raise ApplicationError(f"区划代码“{area_code}”不存在，请先导入行政区划或检查代码。")
        area_name = area.full_name
    else:
        area_name = "全部区划"
    rows = list(
        Division.objects.filter(level=Level.VILLAGE, code__startswith=area_code).values_list("code", "name")
    )
    rural = [(code, name) for code, name in rows if code[9] >= "2"]  # 2xx 村委会; 0xx/1xx 居委会、社区
    rows = rural or rows
    if not rows:
        raise ApplicationError(f"{area_name}下没有村级区划，无法生成农户。")
    township_prefix = area_code[:9]
    townships = dict(
        Division.objects.filter(level=Level.TOWNSHIP, code__startswith=township_prefix).values_list(
            "code", "name"
        )
    )
    villages = []
    for code, name in sorted(rows):
        short = name[:-2] if name.endswith("村委会") else (name[:-3] if name.endswith("居委会") else name)
        villages.append(synth.Village(code=code, name=townships.get(code[:9], "") + short))
    return area_name, villages


def _area_filter(area_code: str) -> dict:
    return {AREA_FIELD[len(area_code)]: area_code} if area_code else {}


# ---- Deleting fast: raw SQL following the foreign keys that point at households ----------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _raw_delete(model: type[models.Model], where: str, params: list, depth: int = 0) -> int:
    """Delete the rows of `model` matching `where` (SQL on its table), first what refers to them:
    CASCADE is followed, SET_NULL applied, PROTECT/RESTRICT refuse when rows exist."""
    table = _qn(model._meta.db_table)
    if depth > 4:
        raise ApplicationError("关联层级过深，无法批量删除，请联系管理员。")
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        field = rel.field
        child = rel.related_model
        target = _qn(field.target_field.column)
        refers = f"{_qn(field.column)} IN (SELECT {target} FROM {table} WHERE {where})"
        on_delete = rel.on_delete
        if on_delete is models.CASCADE:
            _raw_delete(child, refers, params, depth + 1)
        elif on_delete is models.SET_NULL:
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {_qn(child._meta.db_table)} SET {_qn(field.column)} = NULL WHERE {refers}",
                    params,
                )
        elif on_delete is models.DO_NOTHING:
            continue
        else:
            with connection.cursor() as cur:
                cur.execute(f"SELECT 1 FROM {_qn(child._meta.db_table)} WHERE {refers} LIMIT 1", params)
                if cur.fetchone():
                    raise ApplicationError(
                        f"这些农户已有“{child._meta.verbose_name}”记录（受保护），不能整体删除；"
                        "请先处理这些记录，或换一个区域。"
                    )
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE {where}", params)
        return cur.rowcount


def _delete_households(where: str, params: list) -> int:
    return _raw_delete(Household, where, params)


def _area_where(area_code: str) -> tuple[str, list]:
    if not area_code:
        return "1 = 1", []
    return f"{_qn(Household._meta.get_field(AREA_FIELD[len(area_code)]).column)} = %s", [area_code]


# ---- Ids -------------------------------------------------------------------------------------------------


def _reserve_household_ids(n: int) -> int:
    """Reserve ids first … first + n − 1 for new households; returns first."""
    table = Household._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {_qn(table)} IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute(
                f"SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {_qn(table)}))",
                [sequence],
            )
            first = cur.fetchone()[0]
            cur.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
            return first
        if connection.vendor == "sqlite":
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_qn(table)}")
            highest = cur.fetchone()[0]
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            first = max(highest, row[0] if row else 0) + 1
            if row:
                cur.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + n - 1, table])
            else:
                cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first + n - 1])
            return first
    raise ApplicationError(f"合成数据只支持 SQLite 和 PostgreSQL（当前：{connection.vendor}）。")


class _TakenIds:
    """ID numbers already registered with a county's region code, as blind indexes (the numbers are
    encrypted): `number in taken` hashes the number only when there is anything to compare with."""

    def __init__(self, indexes: set[str]):
        self.indexes = indexes

    def __contains__(self, number: object) -> bool:
        return bool(self.indexes) and crypto.blind_index(str(number), kind="id") in self.indexes

    def __len__(self) -> int:
        return len(self.indexes)


def _taken_map(counties: list[str]) -> dict[str, _TakenIds]:
    """County code → the ID numbers with that region code already registered (they must not be reused).
    One pass over the masked copies (their first six characters are the region code)."""
    found: dict[str, set[str]] = {c: set() for c in counties}
    if Member.objects.exists():
        rows = Member.objects.values_list("id_number_masked", "id_number_index").iterator(chunk_size=20_000)
        for masked, index in rows:
            bucket = found.get(masked[:6])
            if bucket is not None:
                bucket.add(index)
    return {c: _TakenIds(v) for c, v in found.items()}


# ---- Writers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How the generator's rows become a table's rows: the columns written, which generator values are
    kept (None = all) and constant values appended for model columns the generator does not know."""

    table: str
    columns: tuple[str, ...]
    keep: tuple[int, ...] | None
    extra: tuple
    sealer: RowSealer | None = None  # personal data encrypted, blind index and masked copy filled

    def rows(self, rows: list[tuple]) -> list[tuple]:
        if self.keep is not None:
            keep = self.keep
            rows = [tuple([row[i] for i in keep]) for row in rows]
        if self.extra:
            extra = self.extra
            rows = [row + extra for row in rows]
        if self.sealer is not None:
            rows = self.sealer.rows(rows)
        return rows


def _plan(model: type[models.Model], columns: tuple[str, ...], auto_id: bool) -> _Plan:
    fields = [f for f in model._meta.concrete_fields if not (auto_id and f.primary_key)]
    known = {f.column for f in fields}
    stale = [c for c in columns if c not in known and c not in synth.OPTIONAL_COLUMNS]
    if stale:
        raise ApplicationError(
            f"合成数据生成器与数据表 {model._meta.db_table} 的列不一致（表中没有 {stale}），请更新 fanpin.registry.synth。"
        )
    keep = tuple(i for i, c in enumerate(columns) if c in known)
    extra_columns, extra = [], []
    for f in fields:
        if f.column in columns:
            continue
        if f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif isinstance(f, models.CharField) and f.blank:
            value = ""  # e.g. the subsidy account, which the generator does not make
        else:
            raise ApplicationError(
                f"数据表 {model._meta.db_table} 的列 {f.column} 没有默认值，合成数据生成器需要更新（fanpin.registry.synth）。"
            )
        if isinstance(f, models.JSONField):
            value = json.dumps(value, ensure_ascii=False)
        elif value is not None:
            value = f.get_db_prep_save(value, connection)
        extra_columns.append(f.column)
        extra.append(value)
    out_columns = tuple(columns[i] for i in keep) + tuple(extra_columns)
    sealer = RowSealer(model, out_columns)
    assert tuple(sealer.out_columns) == out_columns  # derived columns are among the model's columns
    return _Plan(
        table=model._meta.db_table,
        columns=out_columns,
        keep=None if len(keep) == len(columns) else keep,
        extra=tuple(extra),
        sealer=sealer if sealer.active else None,
    )


TABLES = (
    (Household, synth.HOUSEHOLD_COLUMNS, False),
    (Member, synth.MEMBER_COLUMNS, True),
    (IncomeRecord, synth.INCOME_COLUMNS, True),
)


def _plans() -> list[_Plan]:
    return [_plan(model, columns, auto_id) for model, columns, auto_id in TABLES]


class _SqliteWriter:
    def __init__(self, plans: list[_Plan]) -> None:
        self.sql = []
        for plan in plans:
            cols = ", ".join(_qn(c) for c in plan.columns)
            marks = ", ".join("?" for _ in plan.columns)
            self.sql.append(f"INSERT INTO {_qn(plan.table)} ({cols}) VALUES ({marks})")

    def write(self, households: list, members: list, incomes: list) -> None:
        connection.ensure_connection()
        cur = connection.connection.cursor()
        try:
            cur.executemany(self.sql[0], households)
            cur.executemany(self.sql[1], members)
            cur.executemany(self.sql[2], incomes)
        finally:
            cur.close()


class _PostgresWriter:
    def __init__(self, plans: list[_Plan]) -> None:
        self.sql = []
        for plan in plans:
            cols = ", ".join(_qn(c) for c in plan.columns)
            self.sql.append(f"COPY {_qn(plan.table)} ({cols}) FROM STDIN")

    def write(self, households: Any, members: Any, incomes: Any) -> None:
        """Rows (lists of tuples) or COPY text (bytes, made by `copy_text`)."""
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            for sql, rows in zip(self.sql, (households, members, incomes), strict=True):
                with cur.copy(sql) as copy:
                    if isinstance(rows, bytes | bytearray):
                        copy.write(rows)
                    else:
                        for row in rows:
                            copy.write_row(row)


class _PostgresFreshLoad:
    """Into EMPTY registry tables on PostgreSQL: drop the foreign keys and the secondary (non-unique)
    indexes of the three tables, load, then build the indexes once and add the foreign keys back, each
    validated by one query — all in the caller's transaction, so a failure leaves the schema and the
    data as they were. Checking 15 million rows' foreign keys one trigger at a time, and keeping a dozen
    B-trees current row by row, is most of a province-scale load otherwise (BENCHMARKS.md). The tables
    are locked for the load; that is why it is only done when they are empty (a fresh database)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX …)

    def drop(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
                [self.tables],
            )
            self.foreign_keys = list(cur.fetchall())
            # The members' blind-index UNIQUE constraint too (random HMAC keys: costly to keep current row by
            # row); added back after the load, which checks the uniqueness once (a duplicate rolls it all back).
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'u' AND conrelid::regclass::text = %s "
                "AND pg_get_constraintdef(oid) = 'UNIQUE (id_number_index)'",
                [Member._meta.db_table],
            )
            self.foreign_keys += list(cur.fetchall())
            cur.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary "
                "ORDER BY 1",
                [self.tables],
            )
            self.indexes = list(cur.fetchall())
            for table, name, _definition in self.foreign_keys:
                cur.execute(f"ALTER TABLE {_qn(table)} DROP CONSTRAINT {_qn(name)}")
            for name, _definition in self.indexes:
                cur.execute(f"DROP INDEX {_qn(name)}")

    def restore(self) -> None:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self.indexes:
                cur.execute(definition)
            for table, name, definition in self.foreign_keys:
                cur.execute(f"ALTER TABLE {_qn(table)} ADD CONSTRAINT {_qn(name)} {definition}")


def copy_text(rows: list[tuple]) -> bytes:
    """PostgreSQL COPY text format, fast: every value through str() (True/False are valid boolean
    input), then None -> \\N. Relies on what the generator guarantees: no string holds a tab, newline
    or backslash, and none starts with "None"; the first column (an id) is never None."""
    if not rows:
        return b""
    line = "\t".join(["%s"] * len(rows[0]))
    text = "\n".join([line % row for row in rows])
    return (text.replace("\tNone", "\t\\N") + "\n").encode()


def _chunks(
    counties: list[synth.CountyPlan],
    *,
    seed: int,
    end: tuple[int, int],
    first_id: int,
    now: str,
    taken: Callable[[str], set[str]],
    chunk: int,
    as_copy_text: bool,
    plans: list[_Plan],
) -> Iterator[tuple[int, Any, Any, Any, int]]:
    """(households, household rows, member rows, income rows, monitored) per chunk."""
    category = synth.H["category"]
    generator = synth.Generator(
        seed=seed, end_year=end[0], end_month=end[1], first_id=first_id, now=now, taken=taken
    )
    hh_plan, member_plan, income_plan = plans
    for batch in synth.batches(generator.run(counties), chunk):
        hh = [b.household for b in batch]
        monitored = sum(1 for h in hh if h[category])
        hh = hh_plan.rows(hh)
        members = member_plan.rows([m for b in batch for m in b.members])
        incomes = income_plan.rows([i for b in batch for i in b.incomes])
        if as_copy_text:
            yield len(hh), copy_text(hh), copy_text(members), copy_text(incomes), monitored
        else:
            yield len(hh), hh, members, incomes, monitored


def _worker(q: Any, counties: list[synth.CountyPlan], kwargs: dict) -> None:
    """Runs in a forked child: generate chunks and hand them over (no database use here)."""
    gc.disable()  # no reference cycles are made; saves ~10 % and the child is short-lived
    try:
        for item in _chunks(counties, **kwargs):
            q.put(("chunk", item))
        q.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 — report anything to the parent
        q.put(("error", f"{exc.__class__.__name__}: {exc}"))


def _parallel(shares: list[list[synth.CountyPlan]], kwargs: dict) -> Iterator[tuple]:
    """Chunks from one forked generator process per share of the counties, as they come."""
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue(maxsize=2 + len(shares))
    procs = [ctx.Process(target=_worker, args=(q, share, kwargs), daemon=True) for share in shares]
    for proc in procs:
        proc.start()
    running = len(procs)
    try:
        while running:
            try:
                kind, item = q.get(timeout=5)
            except queue_module.Empty:
                if not any(p.is_alive() for p in procs):
                    raise ApplicationError("生成合成数据的子进程意外退出。") from None
                continue
            if kind == "done":
                running -= 1
            elif kind == "error":
                raise ApplicationError(f"生成合成数据失败：{item}")
            else:
                yield item
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=5)


def _default_workers(households: int) -> int:
    """0 (generate in this process) for small runs; else one generator per two cores, at most two
    (measured on 2 cores: one generator keeps the SQLite writer or the PostgreSQL server busy)."""
    if households < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(1, min(2, (os.cpu_count() or 2) // 2))


def households_synthesize(
    *,
    actor: Any,
    households: int,
    seed: int,
    area_code: str = "",
    end: str | None = None,
    replace: bool = False,
    chunk: int = CHUNK,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Generate `households` synthetic households in the villages of `area_code` (all villages if empty)."""
    started = time.perf_counter()
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ApplicationError(f"户数应在 1 到 {MAX_HOUSEHOLDS:,} 之间。")
    if connection.vendor not in ("sqlite", "postgresql"):
        raise ApplicationError(f"合成数据只支持 SQLite 和 PostgreSQL（当前：{connection.vendor}）。")
    plans = _plans()
    end_ym = parse_end(end)
    area_code = (area_code or "").strip()
    area_name, villages = _area(area_code)
    where, params = _area_where(area_code)

    deleted = 0
    existing = Household.objects.filter(**_area_filter(area_code)).count()
    if existing:
        if not replace:
            raise ApplicationError(
                f"{area_name}已有 {existing} 户农户，未生成合成数据。如要先删除该区域全部农户再生成，请加 --replace。"
            )
        with transaction.atomic():
            deleted = _delete_households(where, params)
            audit_record(
                actor=actor, action="household.synth_replace", object_type="registry.household",
                object_repr=f"删除{area_name}农户 {deleted} 户（替换为合成数据）", area_code=area_code,
                before={"households": deleted},
            )  # fmt: skip

    first_id = _reserve_household_ids(households)
    now = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    vendor = connection.vendor
    writer = _PostgresWriter(plans) if vendor == "postgresql" else _SqliteWriter(plans)
    counties = synth.plan(villages, households, seed)
    workers = _default_workers(households) if workers is None else workers
    # The ID numbers already in use, county by county, up front (forked children must not query).
    taken_map = _taken_map(sorted({c.county for c in counties}))
    empty = _TakenIds(set())
    taken: Callable[[str], _TakenIds] = lambda county: taken_map.get(county, empty)  # noqa: E731
    kwargs = dict(
        seed=seed, end=end_ym, first_id=first_id, now=now, taken=taken, chunk=chunk,
        as_copy_text=bool(workers) and vendor == "postgresql", plans=plans,
    )  # fmt: skip
    done = members = incomes = monitored = 0
    if on_progress:
        on_progress(0, households)
    # A fresh database on PostgreSQL: one transaction, constraints and indexes rebuilt at the end.
    fresh = (
        vendor == "postgresql"
        and households >= FRESH_LOAD_FROM
        and not any(m.objects.exists() for m in (Household, Member, IncomeRecord))
    )
    try:
        with transaction.atomic() if fresh else contextlib.nullcontext():
            fresh_load = _PostgresFreshLoad([p.table for p in plans]) if fresh else None
            if fresh_load:
                fresh_load.drop()
            chunks = (
                _parallel(synth.share(counties, workers), kwargs) if workers else _chunks(counties, **kwargs)
            )
            for n, hh, mem, inc, mon in chunks:
                with transaction.atomic():
                    writer.write(hh, mem, inc)
                done += n
                monitored += mon
                members += len(mem) if isinstance(mem, list) else mem.count(b"\n")
                incomes += len(inc) if isinstance(inc, list) else inc.count(b"\n")
                if on_progress:
                    on_progress(done, households)
            if fresh_load:
                fresh_load.restore()
    except BaseException:
        if not fresh:  # the fresh load's transaction has rolled everything back already
            with transaction.atomic():
                where = f"{_qn('id')} >= %s AND {_qn('id')} < %s"
                _delete_households(where, [first_id, first_id + households])
        raise

    if vendor == "postgresql" and households >= 10_000:
        with connection.cursor() as cur:
            for model in (Household, Member, IncomeRecord):
                cur.execute(f"ANALYZE {_qn(model._meta.db_table)}")
    end_text = f"{end_ym[0]}{end_ym[1]:02d}"
    result = SynthResult(
        area_code=area_code, area_name=area_name, seed=seed, end=end_text, households=done, members=members,
        incomes=incomes, monitored=monitored, deleted=deleted, seconds=round(time.perf_counter() - started, 2),
    )  # fmt: skip
    with transaction.atomic():
        audit_record(
            actor=actor, action="household.synth", object_type="registry.household",
            object_repr=f"合成农户 {done} 户（{area_name}）", area_code=area_code,
            after={k: v for k, v in result.as_dict().items() if k != "seconds"},
            note=f"种子 {seed}，收入截至 {end_text}",
        )  # fmt: skip
    return result

"""Bulk inserts through the raw DB-API, for writes of many rows inside a service's transaction:
SQLite's `executemany`, PostgreSQL's COPY (psycopg `cursor.copy`, rows written with `write_row`).
Django's bulk_create builds model instances and SQL per batch (~18k rows/s here); this writes
~140k rows/s. It runs in the caller's transaction (the connection's own), so it is atomic with it.

Callers give values in a form both drivers take: str, int, bool, None, and Decimal, date and JSON as
text (`db_value` turns a model field's Python value into that). Model defaults are not applied:
give every column the table needs (`defaults` helps).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models


def db_value(field: models.Field, value: Any) -> Any:
    """A field's Python value as the raw drivers take it."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def defaults(model: type[models.Model], skip: Iterable[str] = ()) -> dict[str, Any]:
    """column -> the value a new row gets when it is not given (the field's default, or NULL)."""
    skip = set(skip)
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in skip or f.name in skip:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue  # the caller gives the time
        if f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"{model._meta.db_table}.{f.column} has no default")
        out[f.column] = db_value(f, value)
    return out


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert `rows` (tuples in `columns` order) into `model`'s table."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    elif connection.vendor == "sqlite":
        marks = ", ".join("?" for _ in columns)
        cur = connection.connection.cursor()
        try:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        finally:
            cur.close()
    else:
        marks = ", ".join("%s" for _ in columns)
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a bulk operation makes millions of objects that form
    no cycles (it would walk them all again and again: ~2× slower loads of staged rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sqlite_cache(mebibytes: int) -> Iterator[None]:
    """A larger SQLite page cache for a bulk write (inserting a million rows into tables with indexes
    on random keys is ~30 % faster with the indexes' pages in memory); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        previous = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{int(mebibytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(previous)}")

"""`fanpin backup` and `fanpin restore`: the whole database to one file and back.

SQLite: SQLite's online backup API (a consistent copy even while the server writes; the copy is an
ordinary SQLite file). PostgreSQL: `pg_dump --format=custom` and `pg_restore --single-transaction`, so a
restore either completes or leaves the target database untouched.

A restore goes into an EMPTY database only (a new SQLite data directory, or a database made with
`createdb`): restoring over live data would mix two states, so it is refused with what to do instead.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from fanpin.core.errors import ApplicationError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _vendor(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise ApplicationError(f"备份只支持 SQLite 和 PostgreSQL（当前数据库引擎：{engine}）。")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ApplicationError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client）。"
        )
    return path


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise ApplicationError(f"无法读取备份文件 {path}：{exc.strerror or exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise ApplicationError(
        f"{path} 不是 fanpin 备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）。请检查文件是否完整。"
    )


def database_backup(*, db: dict[str, Any], out: Path) -> Path:
    """Write a backup of the database `db` (a Django DATABASES entry) to `out`. Returns `out`.

    The file is written next to `out` under a temporary name and renamed when complete, so a failed
    backup never leaves a file that looks whole."""
    vendor = _vendor(db)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if vendor == "sqlite":
            source = sqlite3.connect(str(db["NAME"]))
            try:
                target = sqlite3.connect(str(tmp))
                try:
                    source.backup(target)
                    target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                finally:
                    target.close()
            finally:
                source.close()
        else:
            result = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise ApplicationError(f"pg_dump 失败：{result.stderr.strip()}")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists():
        return []
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


def _pg_tables(db: dict[str, Any]) -> list[str]:
    import psycopg

    params = {
        k: v
        for k, v in {
            "dbname": db["NAME"],
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
        }.items()
        if v
    }
    try:
        with psycopg.connect(**params) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall()
    except psycopg.OperationalError as exc:
        raise ApplicationError(
            f"无法连接目标数据库 {db['NAME']}：{exc}。请先用 createdb 建一个空数据库。"
        ) from exc
    return [r[0] for r in rows]


def database_restore(*, db: dict[str, Any], source: Path) -> None:
    """Restore the backup file `source` into the EMPTY database `db`; refused otherwise."""
    vendor = _vendor(db)
    source = Path(source)
    kind = _file_kind(source)
    if kind != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise ApplicationError(
            f"备份文件是 {names[kind]} 的备份，当前数据库是 {names[vendor]}：请在同类数据库上恢复。"
        )
    if vendor == "sqlite":
        target = Path(db["NAME"])
        if _sqlite_tables(target):
            raise ApplicationError(
                f"目标数据库 {target} 不是空的，未恢复。请换一个新的数据目录（FANPIN_HOME）后再恢复。"
            )
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if "django_migrations" not in [
                r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]:
                raise ApplicationError(f"{source} 不是 fanpin 的数据库备份（没有 django_migrations 表）。")
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                dst = sqlite3.connect(str(tmp))
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode=WAL")
                finally:
                    dst.close()
                for suffix in ("-wal", "-shm"):
                    Path(str(target) + suffix).unlink(missing_ok=True)
                tmp.replace(target)  # all at once: the target is either empty or the whole backup
            finally:
                tmp.unlink(missing_ok=True)
        finally:
            src.close()
        return
    if _pg_tables(db):
        raise ApplicationError(
            f"目标数据库 {db['NAME']} 不是空的，未恢复。请先 createdb 一个新数据库，把 DATABASE_URL 指向它再恢复。"
        )
    result = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(db["NAME"]),
            str(source),
        ],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ApplicationError(f"pg_restore 失败，目标数据库未改变：{result.stderr.strip()}")

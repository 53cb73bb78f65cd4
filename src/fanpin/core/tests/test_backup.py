"""`fanpin backup` and `fanpin restore`, run as a person runs them: the real command in a subprocess,
on a database of its own (SQLite in a new data directory; on the PostgreSQL pass also a new PostgreSQL
database), restored into an empty database and compared table by table."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from fanpin.core.tests.browser_server import _libpq_url, separate_postgres_database

# The smallest real division tree that synth can fill: 平定县岔口乡秋林庄村 and its parents.
DIVISIONS = {
    "provinces.csv": "code,name\n14,山西省\n",
    "cities.csv": "code,name,provinceCode\n1403,阳泉市,14\n",
    "areas.csv": "code,name,cityCode,provinceCode\n140321,平定县,1403,14\n",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode\n140321201,岔口乡,140321,14,1403\n",
    "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    "140321201249,秋林庄村委会,140321201,14,1403,140321\n",
}


def fanpin(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "fanpin.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    if ok:
        assert result.returncode == 0, f"fanpin {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def environment(home: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["FANPIN_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def snapshot(home: Path, database_url: str | None) -> dict[str, list]:
    """Every row of every table, sorted, as the database holds it."""
    if database_url:
        import psycopg

        with psycopg.connect(_libpq_url(database_url)) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]
            return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    conn = sqlite3.connect(str(home / "fanpin.sqlite3"))
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        conn.close()


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_restores_into_an_empty_database_with_every_row(tmp_path, backend):
    with ExitStack() as stack:
        if backend == "postgresql":
            base = os.environ["DATABASE_URL"]
            source_url = stack.enter_context(separate_postgres_database(base, suffix="bk_src"))
            target_url = stack.enter_context(separate_postgres_database(base, suffix="bk_dst"))
        else:
            source_url = target_url = None
        source_home, target_home = tmp_path / "source", tmp_path / "target"
        source, target = environment(source_home, source_url), environment(target_home, target_url)

        fanpin(source, "migrate", "--no-input", "-v", "0")
        folder = tmp_path / "divisions"
        folder.mkdir()
        for name, text in DIVISIONS.items():
            (folder / name).write_text(text, encoding="utf-8")
        fanpin(source, "divisions", "load", *sorted(str(p) for p in folder.iterdir()))
        fanpin(source, "synth", "--households", "30", "--area", "140321", "--seed", "5")
        fanpin(source, "users", "create", "--username", "xianji", "--role", "county", "--area", "140321",
               "--password", "Backup@2026x")  # fmt: skip

        before = snapshot(source_home, source_url)
        out = tmp_path / "fanpin.backup"
        done = fanpin(source, "backup", "--out", str(out))
        assert "已备份" in done.stdout and out.stat().st_size > 0
        assert any("system.backup" in row for row in snapshot(source_home, source_url)["core_auditevent"])
        assert len(before["registry_household"]) == 30
        assert before["registry_member"] and before["registry_incomerecord"] and before["accounts_user"]

        restored = fanpin(target, "restore", str(out))
        assert "已恢复" in restored.stdout
        after = snapshot(target_home, target_url)
        # Everything the backup held, row for row; the restore adds exactly one audit event (its own).
        audit_after = after.pop("core_auditevent")
        audit_before = before.pop("core_auditevent")
        assert after == before
        assert len(audit_after) == len(audit_before) + 1
        assert any("system.restore" in row for row in audit_after)
        assert set(audit_before) < set(audit_after)

        # A second restore over data is refused and changes nothing.
        again = fanpin(target, "restore", str(out), ok=False)
        assert again.returncode == 1 and "不是空的" in again.stderr
        assert snapshot(target_home, target_url)["registry_household"] == before["registry_household"]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bad = tmp_path / "不是备份.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a database")
    env = environment(tmp_path / "home", None)
    result = fanpin(env, "restore", str(bad), ok=False)
    assert result.returncode == 1
    assert "不是 fanpin 备份文件" in result.stderr
    assert not (tmp_path / "home" / "fanpin.sqlite3").exists() or not snapshot(tmp_path / "home", None)


def test_restore_refuses_a_backup_of_the_other_database_kind(tmp_path):
    pg_like = tmp_path / "pg.backup"
    pg_like.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    result = fanpin(environment(tmp_path / "home", None), "restore", str(pg_like), ok=False)
    assert result.returncode == 1 and "PostgreSQL 的备份" in result.stderr

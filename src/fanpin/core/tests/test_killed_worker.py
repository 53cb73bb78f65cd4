"""An import killed half way (kill -9 of the process running the merge) leaves nothing half-written: the
registry is as before, the worker that starts next marks the job as interrupted, the batch can be
imported again, and the second import brings in every household. Real processes, real files, a database
of their own (SQLite; on the PostgreSQL pass also PostgreSQL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack

import pytest

from fanpin.core.tests.browser_server import _libpq_url, separate_postgres_database
from fanpin.core.tests.test_backup import DIVISIONS, environment, fanpin

HOUSEHOLDS = 20_000  # ≈ 50,000 member rows: the merge takes a few seconds, long enough to be hit


def query(home, url, sql: str) -> list[tuple]:
    if url:
        import psycopg

        with psycopg.connect(_libpq_url(url)) as conn:
            return conn.execute(sql).fetchall()
    conn = sqlite3.connect(str(home / "fanpin.sqlite3"), timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_import_killed_during_the_merge_writes_nothing_and_can_be_redone(tmp_path, backend):
    with ExitStack() as stack:
        url = None
        if backend == "postgresql":
            url = stack.enter_context(separate_postgres_database(os.environ["DATABASE_URL"], suffix="killed"))
        source_home, home = tmp_path / "source", tmp_path / "target"
        source, target = environment(source_home, None), environment(home, url)
        folder = tmp_path / "divisions"
        folder.mkdir()
        for name, text in DIVISIONS.items():
            (folder / name).write_text(text, encoding="utf-8")
        files = sorted(str(p) for p in folder.iterdir())

        # A national-format file of one village with many households, made by synth + export.
        fanpin(source, "migrate", "--no-input", "-v", "0")
        fanpin(source, "divisions", "load", *files)
        fanpin(source, "synth", "--households", str(HOUSEHOLDS), "--area", "140321201249", "--seed", "9")
        national = tmp_path / "秋林庄村.xlsx"
        fanpin(source, "export", "national", "--area", "140321201249", "--out", str(national))

        fanpin(target, "migrate", "--no-input", "-v", "0")
        fanpin(target, "divisions", "load", *files)

        # Import it; kill -9 the process as soon as its merge job is running.
        importing = subprocess.Popen(
            [sys.executable, "-m", "fanpin.cli", "import", "national", str(national), "--year", "2025",
             "--merge", "all"],
            env=target, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(
                lambda: query(
                    home,
                    url,
                    "SELECT id FROM core_job WHERE kind = 'registry.import_merge' AND status = 'running'",
                ),
                timeout=300,
                what="the merge job to start",
            )
            time.sleep(0.2)
            os.killpg(importing.pid, signal.SIGKILL)
        finally:
            importing.wait(timeout=60)
        assert importing.returncode == -signal.SIGKILL

        job = query(home, url, "SELECT status FROM core_job WHERE kind = 'registry.import_merge'")
        assert job == [("running",)], "the merge ended before it was killed: the test did not test anything"
        assert query(home, url, "SELECT COUNT(*) FROM registry_household") == [(0,)]
        assert query(home, url, "SELECT COUNT(*) FROM registry_member") == [(0,)]
        assert query(home, url, "SELECT COUNT(*) FROM registry_incomerecord") == [(0,)]

        # The next worker that starts finds the job abandoned and says so; the batch can be imported again.
        worker = subprocess.Popen(
            [sys.executable, "-m", "fanpin.cli", "worker"], env=target,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(
                lambda: query(
                    home,
                    url,
                    "SELECT error FROM core_job WHERE kind = 'registry.import_merge' AND status = 'failed'",
                ),
                timeout=60,
                what="the worker to mark the job",
            )
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        [(error,)] = query(home, url, "SELECT error FROM core_job WHERE kind = 'registry.import_merge'")
        assert "任务中断" in error and "没有写入一半的数据" in error
        [(status, message)] = query(home, url, "SELECT status, message FROM registry_importbatch")
        assert status == "review" and "可以再次导入" in message

        again = fanpin(target, "import", "national", str(national), "--year", "2025", "--merge", "all")
        assert "已导入" in again.stdout
        assert f'"households_created":{HOUSEHOLDS}' in again.stdout.replace(" ", "")
        assert query(home, url, "SELECT COUNT(*) FROM registry_household") == [(HOUSEHOLDS,)]

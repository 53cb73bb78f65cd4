"""Time the ledger import (parse → review → commit in one transaction) on the configured database
(DATABASE_URL, or SQLite under FANPIN_HOME), with N generated rows of the problem-rectification ledger.

    FANPIN_HOME=/tmp/fanpin-bench python bench/ledgers_bench.py --rows 14036 [--profile]

The database must be migrated and hold the Shanxi divisions (`fanpin demo --no-serve` does both). The
rows it creates are deleted afterwards (not timed). Each phase is timed (wall clock); --profile prints the
top functions of the parse.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=14036)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from fanpin.core.jobs import job_run_now
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.importing import parse_file
    from fanpin.ledgers.framework.services import ledger_import_commit, ledger_import_upload
    from fanpin.ledgers.models import Problem
    from fanpin.ledgers.tests.files import write_xlsx

    counties = ["140321", "140404", "140105", "140212", "140525", "140702"]
    headers = [
        "区划代码",
        "问题描述",
        "问题来源",
        "发现日期",
        "责任单位（责任人）",
        "整改时限",
        "整改状态",
        "整改完成日期",
    ]
    rows = [
        [
            counties[i % 6],
            f"基准问题{i}",
            "自查排查",
            "2021-03-15",
            "县乡村振兴局",
            "2021-06-30",
            "已整改",
            "2021-05-20",
        ]
        for i in range(args.rows)
    ]
    folder = Path(tempfile.mkdtemp())
    t = time.perf_counter()
    path = write_xlsx(folder / "bench.xlsx", headers, rows)
    print(f"write .xlsx {args.rows} rows: {time.perf_counter() - t:.2f} s")
    ledger = get_ledger("rectification")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        parse_file(ledger, path, user=None)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    t = time.perf_counter()
    batch = ledger_import_upload(actor="基准测试", ledger=ledger, source=path, file_name="bench.xlsx")
    job_run_now(batch.job)  # the check job, run here as the worker would
    upload = time.perf_counter() - t
    batch.refresh_from_db()
    t = time.perf_counter()
    job = job_run_now(ledger_import_commit(actor="基准测试", batch=batch))
    commit = time.perf_counter() - t
    batch.refresh_from_db()
    counts = batch.counts if job.status == "succeeded" else job.error
    print(f"upload + parse: {upload:.2f} s ({args.rows / upload:,.0f} rows/s)")
    print(f"commit (parse again + write, one transaction): {commit:.2f} s ({args.rows / commit:,.0f} rows/s)")
    print(counts)
    Problem.objects.filter(problem__startswith="基准问题").delete()


if __name__ == "__main__":
    main()

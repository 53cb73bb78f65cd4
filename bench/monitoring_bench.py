"""Province-scale monthly monitoring (issue 4): load the department files, then the monthly run.

    # once: the registry (PostgreSQL) and the department files
    DATABASE_URL=postgres://…/fanpin_monbench fanpin synth --households 1000000 --end 202510
    python bench/monitoring_data.py --ids ids.csv --out /tmp/monbench-data
    python bench/monitoring_bench.py load   [--data /tmp/monbench-data]   # the streaming loader
    python bench/monitoring_bench.py run    [--engine duckdb]             # the whole monthly run
    python bench/monitoring_bench.py compare                              # engine vs bare DuckDB vs pandas
    python bench/monitoring_bench.py scale  [--spark]                     # 0.25M…2.5M people; Spark at 1M

`run` is what a province does each month, end to end, on the database the system runs on: the
monitoring rules for the province (registry read, income rules, leads and month-end snapshots
written) and the month's department batches matched to the whole registry (医保 summed over its 12
monthly batches, 民政, 教育, 住建), their leads written. The month's leads and snapshots are removed
first (not timed), so every run does the same work. Peak RSS: the kernel high-water mark per phase.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

YEAR, MONTH = 2025, 10
MONTHS = [(2024, 11), (2024, 12)] + [(2025, m) for m in range(1, 11)]
FILES = [(f"medical_{y}{m:02d}.parquet", "medical", y, m) for y, m in MONTHS] + [
    ("civil.parquet", "civil", YEAR, MONTH),
    ("education.parquet", "education", YEAR, MONTH),
    ("housing.parquet", "housing", YEAR, MONTH),
]
AREA = "14"


class Peak:
    """Peak RSS of this process during the block: the kernel's high-water mark (VmHWM), reset at the
    start (echo 5 > /proc/self/clear_refs)."""

    def __enter__(self):
        Path("/proc/self/clear_refs").write_text("5")
        return self

    def __exit__(self, *exc):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                self.peak = int(line.split()[1]) * 1024

    @property
    def mb(self) -> float:
        return self.peak / 1e6


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds so far of this process (DuckDB's threads included) and of its PostgreSQL backend (the
    server process serving this connection; 0 on SQLite): on a machine shared with other work, their
    sum is what the run costs, whatever the wall clock says."""
    import resource

    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    backend = 0.0
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_backend_pid()")
            pid = c.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own.ru_utime + own.ru_stime, backend


def load_avg() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from fanpin.monitoring.models import PolicySetting
    from fanpin.monitoring.services.policy import policy_setting_create

    if not PolicySetting.objects.filter(province_code=AREA, year=YEAR).exists():
        policy_setting_create(
            actor="bench", province_code=AREA, year=YEAR, threshold="7100", effective_from=date(YEAR, 1, 1)
        )


def cmd_load(args) -> None:
    from fanpin.core.jobs import job_run_now
    from fanpin.monitoring.departments.load import department_batch_create
    from fanpin.monitoring.models import DepartmentBatch

    print(load_avg(), flush=True)
    total_rows = total_s = 0.0
    for name, source, year, month in FILES:
        if args.only and source not in args.only:
            continue
        path = Path(args.data) / name
        if DepartmentBatch.objects.filter(file_name=name).exclude(status="failed").exists():
            print(f"{name}: loaded before", flush=True)
            continue
        with Peak() as peak:
            t0 = time.perf_counter()
            batch, job = department_batch_create(
                actor="bench",
                source=source,
                path=path,
                file_name=name,
                area_code=AREA,
                year=year,
                month=month,
            )
            job = job_run_now(job)
            seconds = time.perf_counter() - t0
        assert job.status == "succeeded", job.error
        c = DepartmentBatch.objects.get(pk=batch.pk).counts
        total_rows += c["rows"]
        total_s += seconds
        print(
            f"{name}: {c['rows']:,} rows, kept {c['kept']:,}, bad rows {c['bad_rows']:,} "
            f"({c['issues_by_column']}) in {seconds:.1f} s = {c['rows'] / seconds:,.0f} rows/s; "
            f"peak RSS {peak.mb:,.0f} MB",
            flush=True,
        )
    if total_s:
        print(
            f"total {total_rows:,.0f} rows in {total_s:.1f} s = {total_rows / total_s:,.0f} rows/s",
            flush=True,
        )
    print(load_avg(), flush=True)


def month_batches():
    from fanpin.monitoring.models import DepartmentBatch

    return list(
        DepartmentBatch.objects.filter(
            year=YEAR, month=MONTH, area_code=AREA, status__in=["loaded", "matched"]
        )
        .exclude(status="failed")
        .order_by("id")
    )


def reset() -> None:
    """Remove what a previous run of the month wrote (not timed)."""
    from fanpin.monitoring.models import (
        DepartmentBatch,
        DepartmentRecord,
        HouseholdSnapshot,
        Lead,
        MonitoringRun,
    )

    Lead.objects.filter(year=YEAR, month=MONTH)._raw_delete(Lead.objects.db)
    HouseholdSnapshot.objects.filter(year=YEAR, month=MONTH)._raw_delete(HouseholdSnapshot.objects.db)
    MonitoringRun.objects.filter(year=YEAR, month=MONTH).delete()
    DepartmentRecord.objects.filter(batch__in=month_batches())._raw_delete(DepartmentRecord.objects.db)
    DepartmentBatch.objects.filter(status="matched").update(status="loaded")


def cmd_run(args) -> None:
    from fanpin.core.jobs import job_run_now
    from fanpin.monitoring.departments.match import department_batch_match, registry_members
    from fanpin.monitoring.models import MonitoringRun
    from fanpin.monitoring.services.runs import monitoring_run_request

    reset()
    print(load_avg(), flush=True)
    phases = {}
    cpu0 = cpu_seconds()
    with Peak() as peak:
        t0 = time.perf_counter()
        run, job = monitoring_run_request(
            actor="bench", area_code=AREA, year=YEAR, month=MONTH, engine=args.engine
        )
        marks = {}
        job = job_run_now(job, on_progress=lambda d, t: marks.setdefault(d, time.perf_counter()))
        assert job.status == "succeeded", job.error
        end = time.perf_counter()
        phases["monitoring run, all (the job)"] = end - t0
        phases["  registry read (households, members, incomes) + exclusions"] = marks[1] - marks[0]
        phases["  rules on the engine"] = marks[2] - marks[1]
        phases["  leads + month-end snapshots written"] = marks[4] - marks[2]
        phases["  indicator rollups refreshed (reports app, after the run)"] = end - marks[4]
        t = time.perf_counter()
        members = registry_members()
        phases["registry members read for matching"] = time.perf_counter() - t
        results = {}
        for batch in month_batches():
            t = time.perf_counter()
            counts = department_batch_match(batch=batch, engine=args.engine, members=members)
            phases[
                f"match {batch.source} ({counts['rows'] if 'rows' in counts else counts['kept']:,} rows)"
            ] = time.perf_counter() - t
            results[batch.source] = counts
        total = time.perf_counter() - t0
    cpu1 = cpu_seconds()
    counts = MonitoringRun.objects.get(pk=run.pk).counts
    print(
        f"monthly run {AREA} {YEAR}-{MONTH:02d} on {args.engine}: {total:.1f} s, peak RSS {peak.mb:,.0f} MB; "
        f"CPU {cpu1[0] - cpu0[0]:.1f} s in this process + {cpu1[1] - cpu0[1]:.1f} s in its PostgreSQL backend",
        flush=True,
    )
    for name, seconds in phases.items():
        print(f"  {name}: {seconds:.1f} s", flush=True)
    print(f"  monitoring: {counts}", flush=True)
    for source, c in results.items():
        print(
            f"  {source}: matched {c['matched']:,} rows ({c['matched_households']:,} households), "
            f"not in registry {c['unmatched']:,} rows / {c['unmatched_people']:,} people, "
            f"triggered {c['triggered']:,}, leads {c['leads']:,}",
            flush=True,
        )
    print(load_avg(), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["load", "run", "compare", "scale"])
    parser.add_argument("--data", default="/tmp/monbench-data")
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--only", nargs="*", help="load: only these sources")
    parser.add_argument("--spark", action="store_true", help="scale: also Spark at 1M people")
    parser.add_argument("--no-copy", action="store_true", help="read the registry row by row (the old way)")
    args = parser.parse_args()
    setup()
    if args.no_copy:
        from fanpin.monitoring import extract

        extract.COPY = False
    if args.command == "load":
        cmd_load(args)
    elif args.command == "run":
        cmd_run(args)
    else:
        from monitoring_compare import cmd_compare, cmd_scale  # bench/monitoring_compare.py

        (cmd_compare if args.command == "compare" else cmd_scale)(args)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())

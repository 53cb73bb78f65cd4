"""Time the national-format import end to end on the configured database (DATABASE_URL, or SQLite
under FANPIN_HOME), and django-import-export on the same rows into the same models.

    python bench/import_bench.py --file county.xlsx [--area 140321] [--year 2025] [--repeat 2] [--fresh]
    python bench/import_bench.py --file county.xlsx --ie-sample 20000 [--ie-default-sample 5000]
    python bench/import_bench.py --file big.xlsx --rows 1000000 --source county.xlsx  # writes big.xlsx

Make county.xlsx with `fanpin synth --households 20000 --area 140321 --seed 7` and `fanpin export
national --area 140321 --out county.xlsx`; --rows writes a larger file from it (bench/make_national.py).

Ours runs what `fanpin import national FILE --year 2025 --merge all` runs: the parse job (read,
validate, stage; nothing written to the registry) and the merge job (one transaction), through the
same services and job runner; each is timed (wall clock). The area's households are deleted first
(not timed); --fresh starts from a new database instead (SQLite file removed, PostgreSQL database
dropped and created; migrated and the Shanxi divisions loaded, not timed).

--ie-sample N: the first N member rows, as an .xlsx, imported by us, then by django-import-export
(settings bench/settings_bench.py add "import_export") in its default configuration and in its best
tuning, from tablib Datasets of the same rows: see bench/ie_compare.py for what each side does and
what is timed.

Peak RSS: resource.getrusage maxrss of this process and of its children (the parse's reader
processes), right after each phase.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))  # bench.settings_bench


def rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def fresh_database() -> None:
    """Before Django connects: a new SQLite file, or drop and create the PostgreSQL database."""
    url = os.environ.get("DATABASE_URL")
    if url:
        import psycopg
        from dj_database_url import parse

        cfg = parse(url)
        name = cfg["NAME"]
        conninfo = dict(
            host=cfg["HOST"] or None,
            port=cfg["PORT"] or None,
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        from fanpin.settings import env

        for suffix in ("", "-wal", "-shm"):
            path = env.home() / f"fanpin.sqlite3{suffix}"
            if path.exists():
                path.unlink()


def prepare(area: str) -> None:
    from django.core.management import call_command

    from fanpin.divisions.models import Division
    from fanpin.divisions.services.load import divisions_load_shanxi

    call_command("migrate", interactive=False, verbosity=0)
    if not Division.objects.filter(level=5).exists():
        divisions_load_shanxi(actor="bench")


def clear_area(area: str) -> int:
    from django.db import transaction

    from fanpin.registry.services import synth as service

    where, params = service._area_where(area)
    with transaction.atomic():
        return service._delete_households(where, params)


def run_ours(path: Path, area: str, year: int | None, label: str) -> dict:
    """The parse job then the merge job, as the CLI runs them."""
    from fanpin.core.jobs import job_run_now
    from fanpin.registry.models import ImportBatch
    from fanpin.registry.services.imports import import_create, import_merge_request

    t0 = time.perf_counter()
    batch, job = import_create(
        actor="bench", source=path, file_name=path.name, area_code=area, year=year, kind="national"
    )
    job = job_run_now(job)
    t1 = time.perf_counter()
    batch = ImportBatch.objects.get(pk=batch.pk)
    if job.status != "succeeded" or batch.status != "review":
        raise SystemExit(f"parse failed: {job.error or batch.message}")
    parse_rss = rss_mb()
    if batch.counts.get("errors"):
        print(f"  note: {batch.counts['errors']} errors in the file; merging the valid households")
    mode = "valid" if batch.counts.get("errors") else "all"
    merge_job = job_run_now(import_merge_request(actor="bench", batch=batch, mode=mode))
    t2 = time.perf_counter()
    batch.refresh_from_db()
    if merge_job.status != "succeeded":
        raise SystemExit(f"merge failed: {merge_job.error}")
    rows = batch.counts["rows"]
    out = {
        "label": label,
        "rows": rows,
        "households": batch.counts["households"],
        "parse_s": t1 - t0,
        "merge_s": t2 - t1,
        "total_s": t2 - t0,
        "parse_rss": parse_rss,
        "rss": rss_mb(),
        "changes": batch.changes,
    }
    print(
        f"{label}: {rows:,} rows, {out['households']:,} households | parse {out['parse_s']:.2f} s, "
        f"merge {out['merge_s']:.2f} s, total {out['total_s']:.2f} s = {rows / out['total_s']:,.0f} rows/s | "
        f"peak RSS after parse {parse_rss[0]:,.0f} MB (children {parse_rss[1]:,.0f}), after merge "
        f"{out['rss'][0]:,.0f} MB (children {out['rss'][1]:,.0f})",
        flush=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, required=True, help=".xlsx in the national format")
    parser.add_argument("--rows", type=int, default=None, help="write --file first with this many rows")
    parser.add_argument("--source", type=Path, default=None, help="for --rows: a file of fanpin export")
    parser.add_argument("--area", default="140321")
    parser.add_argument("--year", type=int, default=2025, help="year of the income columns (0 = none)")
    parser.add_argument("--fresh", action="store_true", help="start from a new database")
    parser.add_argument("--repeat", type=int, default=1, help="import the whole file this many times")
    parser.add_argument(
        "--ie-sample", type=int, default=0, help="member rows for the django-import-export comparison"
    )
    parser.add_argument("--ie-default-sample", type=int, default=None, help="default: --ie-sample")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    if args.rows and not args.file.exists():
        from bench.make_national import make_file

        make_file(args.file, rows=args.rows, source=args.source)
    if args.fresh:
        fresh_database()
    import django

    django.setup()
    from django.db import connection

    prepare(args.area)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; file {args.file} "
        f"({args.file.stat().st_size / 1e6:,.0f} MB)",
        flush=True,
    )
    year = args.year or None
    results = []
    for n in range(args.repeat):
        t = time.perf_counter()
        deleted = clear_area(args.area)
        print(f"cleared {deleted:,} households in {time.perf_counter() - t:.1f} s (not timed)", flush=True)
        results.append(run_ours(args.file, args.area, year, f"ours #{n + 1}"))
    if args.ie_sample:
        from bench.ie_compare import compare

        rows = compare(
            args.file,
            args.area,
            year,
            args.ie_sample,
            args.ie_default_sample or args.ie_sample,
            run_ours,
            lambda: clear_area(args.area),
        )
        ours = rows[0][1] / rows[0][2]
        for label, n, seconds, _r in rows[1:]:
            theirs = n / seconds
            print(f"ours {ours:,.0f} rows/s vs {label} {theirs:,.0f} rows/s: {ours / theirs:.1f}× faster")
    print(f"peak RSS of the whole run {rss_mb()[0]:,.0f} MB (children {rss_mb()[1]:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

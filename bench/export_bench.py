"""Time the national-format export (《（自定义）监测对象信息》) of an area on the configured database
(DATABASE_URL, or SQLite under FANPIN_HOME).

    python bench/export_bench.py --area 14 [--out /tmp/export.xlsx] [--year 2025] [--check]

Prints rows, seconds, rows/s, the file size and the peak RSS of this process, and the RSS sampled as
the rows are written (at every progress call and every 0.25 s; progress counts households), to show
that memory stays flat as the row count grows. --check reads the file back with python-calamine (not
timed) and compares the row count. --function module:name runs another implementation with the same
signature (for the baseline: the old export.py saved as a module on PYTHONPATH). --compresslevel and
--max-shared override the new export's zlib level and shared-strings cap.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import threading
import time


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--area", default="14", help="division code (default 14 = 山西省; '' = all)")
    parser.add_argument("--out", default="/tmp/export_bench.xlsx")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--check", action="store_true", help="read the file back and count the rows")
    parser.add_argument("--function", default="fanpin.registry.national.export:export_national")
    parser.add_argument(
        "--compresslevel", type=int, default=None, help="zlib level of the sheet (new export)"
    )
    parser.add_argument(
        "--max-shared",
        type=int,
        default=None,
        help="shared-strings entries (0 = every cell inline; new export)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.db import connection

    from fanpin.divisions.models import Division
    from fanpin.registry.models import Household

    module, _, name = args.function.partition(":")
    export_module = importlib.import_module(module)
    export = getattr(export_module, name)
    if args.compresslevel is not None:
        export_module.COMPRESSLEVEL = args.compresslevel
    if args.max_shared is not None:
        export_module.MAX_SHARED = args.max_shared

    qs = Household.objects.all()
    area_name = "全部"
    if args.area:
        field = {2: "province_code", 4: "city_code", 6: "county_code", 9: "township_code", 12: "village_id"}
        qs = qs.filter(**{field[len(args.area)]: args.area})
        area_name = Division.objects.get(code=args.area).full_name
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; area {args.area or '全部'} "
        f"{area_name}; function {args.function}"
        + (f"; compresslevel {args.compresslevel}" if args.compresslevel is not None else "")
        + (f"; max shared {args.max_shared}" if args.max_shared is not None else ""),
        flush=True,
    )

    samples: list[tuple[float, int, float]] = []  # (seconds, households done, RSS MB)
    t0 = time.perf_counter()
    state = {"done": 0, "running": True}

    def on_progress(done: int, total: int) -> None:
        state["done"] = done
        samples.append((time.perf_counter() - t0, done, rss_mb()))

    def sampler() -> None:
        while state["running"]:
            samples.append((time.perf_counter() - t0, state["done"], rss_mb()))
            time.sleep(0.25)

    rss_before = rss_mb()
    thread = threading.Thread(target=sampler, daemon=True)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    thread.start()
    rows = export(
        households=qs,
        path=__import__("pathlib").Path(args.out),
        area_name=area_name,
        area_code=args.area,
        year=args.year,
        on_progress=on_progress,
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    state["running"] = False
    thread.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = os.path.getsize(args.out) / 2**20

    print(f"rows {rows:,}  time {seconds:.1f} s (CPU {cpu:.1f} s)  rows/s {rows / seconds:,.0f}")
    print(f"file {args.out} {size:,.1f} MB")
    print(f"RSS before {rss_before:,.0f} MB, peak {peak:,.0f} MB")
    # RSS at each tenth of the run: flat means constant memory. Progress counts households.
    samples.sort()
    line = []
    for tenth in range(1, 11):
        upto = [s for s in samples if s[0] <= seconds * tenth / 10]
        if upto:
            t, done, mb = upto[-1]
            line.append(f"{t:.0f}s/{done:,}/{mb:.0f}MB")
    print("RSS over the run (time/households done/RSS): " + "  ".join(line))
    if args.check:
        from python_calamine import CalamineWorkbook

        t1 = time.perf_counter()
        sheet = CalamineWorkbook.from_path(args.out).get_sheet_by_index(0)
        read = sum(1 for _ in sheet.iter_rows()) - 3
        print(f"check: calamine reads {read:,} data rows in {time.perf_counter() - t1:.1f} s")
        if read != rows:
            print("check FAILED: row count differs", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

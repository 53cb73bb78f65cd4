"""Time `fanpin synth` on the configured database (DATABASE_URL, or SQLite under FANPIN_HOME).

    python bench/synth_bench.py --households 100000 [--area 14] [--seed 1] [--workers N]

Migrates and loads the Shanxi divisions if needed, deletes the area's households first (not timed),
then prints households/s, people/s, rows/s and the peak RSS of this process and of the generator child.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--area", default="14", help="division code (default 14 = 山西省)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default=None, help="YYYYMM (default: last month)")
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument(
        "--workers", type=int, default=None, help="generator processes (0 = in-process; default auto)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fanpin.divisions.models import Division
    from fanpin.divisions.services.load import divisions_load_shanxi
    from fanpin.registry.models import Household
    from fanpin.registry.services import synth as service

    call_command("migrate", interactive=False, verbosity=0)
    if not Division.objects.filter(level=5).exists():
        divisions_load_shanxi(actor="bench")
    where, params = service._area_where(args.area)
    t0 = time.perf_counter()
    with transaction.atomic():
        deleted = service._delete_households(where, params)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; deleted {deleted} households "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    assert not Household.objects.filter(**service._area_filter(args.area)).exists()

    kwargs = {}
    if args.chunk:
        kwargs["chunk"] = args.chunk
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = service.households_synthesize(
        actor="bench",
        households=args.households,
        seed=args.seed,
        area_code=args.area,
        end=args.end,
        replace=False,
        workers=args.workers,
        **kwargs,
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rows = result.households + result.members + result.incomes
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"households {result.households:,}  people {result.members:,}  income rows {result.incomes:,}  "
        f"monitored {result.monitored:,}"
    )
    print(f"time {seconds:.1f} s (this process CPU {cpu:.1f} s)")
    print(
        f"households/s {result.households / seconds:,.0f}   people/s {result.members / seconds:,.0f}   "
        f"rows/s {rows / seconds:,.0f}"
    )
    print(f"peak RSS: this process {self_rss:,.0f} MB, largest child {child_rss:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

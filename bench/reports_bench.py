"""Server-side time of the statistics overview (issue 6 target: province and any county ≤ 300 ms p95 with
2.5M people), and the time to compute the rollups it reads.

    DATABASE_URL=postgres://… python bench/reports_bench.py --households 250000 [--months 12] [--requests 60]
    python bench/reports_bench.py --skip-synth --skip-rollup      # re-measure the pages only

Steps: migrate and load the Shanxi divisions if needed; `fanpin synth` households over the whole province
unless it already has that many (--skip-synth keeps what is there); compute the rollups of the province for
the last --months months (timed per month); then request each page --requests times through Django's test
client as a province user (the full request: middleware, session, selectors, template) after 3 warm-up
requests, and print p50 / p95 / max in ms. The pages read only the rollup table, whose size depends on the
number of division nodes with households (≈ 23,000 at any scale above ~100k households), not on the
number of households.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

PAGES = [
    ("province overview 山西省", "/reports/area/14/"),
    ("city overview 阳泉市", "/reports/area/1403/"),
    ("county overview 平定县", "/reports/area/140321/"),
    ("county overview 清徐县", "/reports/area/140121/"),
    ("township overview 岔口乡", "/reports/area/140321201/"),
    ("API province indicators", "/api/indicators/?area=14"),
    ("county .xlsx 平定县", "/reports/area/140321/xlsx/"),
]


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-synth", action="store_true")
    parser.add_argument("--skip-rollup", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from fanpin.accounts.models import User
    from fanpin.accounts.services.users import user_create
    from fanpin.divisions.models import Division
    from fanpin.divisions.services.load import divisions_load_shanxi
    from fanpin.registry.models import Household
    from fanpin.registry.services.synth import households_synthesize
    from fanpin.reports.models import Rollup
    from fanpin.reports.services.rollup import last_months, rollup_compute

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    if not Division.objects.filter(level=5).exists():
        divisions_load_shanxi(actor="bench")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)

    have = Household.objects.filter(province_code="14").count()
    if not args.skip_synth and have < args.households:
        t0 = time.perf_counter()
        r = households_synthesize(
            actor="bench", households=args.households, seed=args.seed, area_code="14", replace=True
        )
        print(f"synth: {r.households:,} households, {r.members:,} people in {time.perf_counter() - t0:.1f} s")
    households = Household.objects.filter(province_code="14").count()
    people = sum(Household.objects.filter(province_code="14").values_list("size", flat=True).iterator(10000))
    print(f"data: {households:,} households, {people:,} people", flush=True)

    if not args.skip_rollup:
        months = last_months(args.months)
        times = []
        for year, month in months:
            t0 = time.perf_counter()
            counts = rollup_compute(actor="bench", area_code="14", months=[(year, month)])
            times.append(time.perf_counter() - t0)
            print(f"rollup 14 {year}-{month:02d}: {times[-1]:.1f} s, {counts['nodes']:,} nodes, {counts['rows']:,} rows")
        print(f"rollup per month: mean {statistics.mean(times):.1f} s, max {max(times):.1f} s")
    print(f"rollup table: {Rollup.objects.count():,} rows", flush=True)

    user = User.objects.filter(username="bench_province").first() or user_create(
        actor="bench", username="bench_province", password="Bench@2026x", role="province", area_code="14",
        check_password=False,
    )  # fmt: skip
    client = Client()
    client.force_login(user)
    print(f"\n{'page':<30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, url in PAGES:
        for _ in range(3):
            assert client.get(url, HTTP_ACCEPT="application/json" if "/api/" in url else "text/html").status_code == 200
        samples = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT="application/json" if "/api/" in url else "text/html")
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{label:<30} {len(samples):>4} {statistics.median(samples):>8.1f} {_pct(samples, 95):>8.1f} "
            f"{max(samples):>8.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

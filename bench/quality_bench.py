"""Time the data-quality rules (fanpin.matching.engine.quality) on the configured database.

    python bench/quality_bench.py --households 20000 [--area 140321] [--people 2500000] [--engine duckdb]

1. Makes sure the area has `--households` synthetic households (`fanpin synth`; not timed).
2. End to end on the database: one registry quality run of the area (extraction, engine, findings, scores),
   with the time of each phase.
3. Engine at scale: the extracted Arrow tables tiled (new household and member ids) until they hold
   `--people` people, then all rules over them on the engine (`quality_flags` + `long_findings`).
Prints the figures and the peak RSS of this process.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import date


def tile(table, times: int, id_columns: tuple[str, ...]):
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for k in range(times):
        columns = {}
        for name in table.column_names:
            col = table[name]
            if name in id_columns:
                col = pc.add(col, pa.scalar(k * 100_000_000, pa.int64()))
            columns[name] = col
        parts.append(pa.table(columns, schema=table.schema))
    return pa.concat_tables(parts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--area", default="140321", help="division code (default 140321 = 平定县)")
    parser.add_argument("--people", type=int, default=2_500_000, help="people for the engine-at-scale part")
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    import ibis
    from django.core.management import call_command
    from django.db import connection

    from fanpin.core.jobs import job_run_now
    from fanpin.divisions.models import Division
    from fanpin.divisions.services.load import divisions_load_shanxi
    from fanpin.matching.engine.income import window_income
    from fanpin.matching.engine.quality import long_findings, quality_flags
    from fanpin.matching.engines import connect
    from fanpin.monitoring.models import PolicySetting
    from fanpin.quality.extract import registry_tables, with_income
    from fanpin.quality.models import QualityRun
    from fanpin.quality.services.runs import _previous_month, quality_params, quality_run_request
    from fanpin.registry.models import Household
    from fanpin.registry.services.synth import households_synthesize

    call_command("migrate", interactive=False, verbosity=0)
    if not Division.objects.filter(level=5).exists():
        divisions_load_shanxi(actor="bench")
    field = {2: "province_code", 4: "city_code", 6: "county_code", 9: "township_code"}[len(args.area)]
    have = Household.objects.filter(**{field: args.area}).count()
    if have < args.households:
        print(f"synthesising {args.households - have} households in {args.area} …", flush=True)
        households_synthesize(actor="bench", households=args.households - have, seed=7, area_code=args.area)
    today = date.today()
    if not PolicySetting.objects.filter(province_code=args.area[:2]).exists():
        from fanpin.monitoring.services.policy import policy_setting_create

        policy_setting_create(
            actor="bench",
            province_code=args.area[:2],
            year=today.year,
            threshold="7100",
            effective_from=date(today.year, 1, 1),
        )
    n_households = Household.objects.filter(**{field: args.area}).count()
    print(
        f"database: {connection.vendor}; {n_households} households in {args.area}; engine {args.engine}",
        flush=True,
    )

    # 2. End to end.
    t0 = time.perf_counter()
    run, job = quality_run_request(actor="bench", area_code=args.area, engine=args.engine)
    job_run_now(job)
    run = QualityRun.objects.get(pk=run.pk)
    total = time.perf_counter() - t0
    print(
        f"end to end: {run.counts.get('households')} households, {run.counts.get('people')} people, "
        f"{run.counts.get('errors')} errors + {run.counts.get('warnings')} warnings, score {run.score}: {total:.1f} s",
        flush=True,
    )
    params = quality_params(run.policy)
    year, month = _previous_month(run.as_of)
    con = connect(args.engine)
    t0 = time.perf_counter()
    tables = registry_tables(args.area, first_year=year - 2, as_of=run.as_of)
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    window = con.to_pyarrow(window_income(ibis.memtable(tables["incomes"]), end_year=year, end_month=month))
    households = with_income(tables["households"], window)
    t_income = time.perf_counter() - t0
    members, measures = tables["members"], tables["measures"]

    def engine_once(h, m, me):
        t = time.perf_counter()
        mf, hf = quality_flags(
            households=ibis.memtable(h),
            members=ibis.memtable(m),
            measures=ibis.memtable(me),
            params=params,
            as_of=run.as_of,
        )
        found = long_findings(con.to_pyarrow(mf), con.to_pyarrow(hf))
        return found.num_rows, time.perf_counter() - t

    n, t_engine = engine_once(households, members, measures)
    print(
        f"  phases: extract {t_extract:.1f} s, 12-month income {t_income:.1f} s, rules {t_engine:.1f} s "
        f"({n} findings); the rest (findings and scores written, audit) {total - t_extract - t_income - t_engine:.1f} s",
        flush=True,
    )

    # 3. Engine at scale.
    times = max(1, -(-args.people // max(1, members.num_rows)))
    big_h = tile(households, times, ("household_id",))
    big_m = tile(members, times, ("household_id", "member_id"))
    big_me = tile(measures, times, ("household_id",))
    print(
        f"engine at scale: {big_h.num_rows} households, {big_m.num_rows} people ({times}× the area) …",
        flush=True,
    )
    n, t_big = engine_once(big_h, big_m, big_me)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  all rules over {big_m.num_rows} people: {t_big:.1f} s, {n} findings, "
        f"{big_m.num_rows / t_big:,.0f} people/s; peak RSS {rss:.0f} MB",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

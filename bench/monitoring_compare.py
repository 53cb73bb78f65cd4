"""bench/monitoring_bench.py compare and scale: the engine's rules and matching on DuckDB, against a
bare DuckDB SQL query doing the same joins and against pandas, on the same inputs in the same process;
and the engine at 0.25M … 2.5M people (and Spark at 1M, output asserted identical).

Inputs are read once from the database and the month's Parquet files (not timed); each timed step
computes the lead candidates (household ids, and kind/detail for the department sources) and the three
implementations' results are asserted equal.
"""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.compute as pc
from monitoring_bench import AREA, MONTH, YEAR, load_avg, month_batches


def _inputs():
    import pyarrow.parquet as pq

    from fanpin.monitoring.departments.match import medical_history, records_path, registry_members
    from fanpin.monitoring.extract import extract_area
    from fanpin.monitoring.models import PolicySetting
    from fanpin.monitoring.services.policy import rule_params

    params = rule_params(
        PolicySetting.objects.filter(province_code=AREA, year=YEAR).order_by("-version").first()
    )
    t0 = time.perf_counter()
    tables = extract_area(AREA, first_year=YEAR - 2)
    members = registry_members()
    batches = {b.source: b for b in month_batches()}
    records = {s: pq.read_table(records_path(b)) for s, b in batches.items()}
    history = pa.concat_tables(
        pq.read_table(p, columns=["id_key", "period", "amount", "total_cost"])
        for p in medical_history(batches["medical"], params.oop_months)
    )
    print(f"inputs read in {time.perf_counter() - t0:.1f} s (not timed below)", flush=True)
    assert pc.all(pc.equal(tables["incomes"].column("months"), 1)).as_py(), "annual income records present"
    return params, tables, members, records, history


def _engine(con, params, tables, members, records, history, excluded):
    import ibis

    from fanpin.matching.engine.departments import department_candidates, department_rows, match_records
    from fanpin.matching.engine.rules import household_facts, monitoring_candidates

    ex = ibis.memtable(pa.table({"household_id": pa.array(sorted(excluded), pa.int64())}))
    t0 = time.perf_counter()
    facts = household_facts(
        households=ibis.memtable(tables["households"]),
        members=ibis.memtable(tables["members"]),
        incomes=ibis.memtable(tables["incomes"]),
        params=params,
        end_year=YEAR,
        end_month=MONTH,
    )
    income = con.to_pyarrow(monitoring_candidates(facts, ex).select("household_id")).column(0).to_pylist()
    t_income = time.perf_counter() - t0
    t0 = time.perf_counter()
    people = ibis.memtable(members)
    out = {}
    for source, table in records.items():
        matched = match_records(ibis.memtable(table), people)
        hist = ibis.memtable(history) if source == "medical" else None
        rows = department_rows(source, matched, people, params=params, year=YEAR, month=MONTH, history=hist)
        cand = con.to_pyarrow(department_candidates(rows, ex).select("household_id", "kind", "detail"))
        out[source] = sorted(tuple(r.values()) for r in cand.to_pylist())
    t_match = time.perf_counter() - t0
    return sorted(income), out, t_income, t_match


def _bare_duckdb(params, members, records, history, excluded):
    """The department matching and rules as one hand-written DuckDB SQL per source."""
    import duckdb

    from fanpin.matching.engine.departments import period_label, window_periods

    con = duckdb.connect()
    ex = pa.table({"household_id": pa.array(sorted(excluded), pa.int64())})
    con.register("members", members)
    con.register("excluded", ex)
    con.register("history", history)
    for s, t in records.items():
        con.register(f"r_{s}", t)
    first, last = window_periods(YEAR, MONTH, params.oop_months)
    people = (
        "(SELECT m.id_key, m.member_id, m.household_id, m.birth_date, m.household_type FROM members m "
        "JOIN (SELECT id_key, min(member_id) AS member_id FROM members GROUP BY id_key) f USING (member_id))"
    )
    month_end = "DATE '2025-10-31'"
    age = f"(date_part('year', {month_end}) - year(p.birth_date) - CASE WHEN month(p.birth_date) > 10 OR (month(p.birth_date) = 10 AND day(p.birth_date) > 31) THEN 1 ELSE 0 END)"
    poor_limit = params.oop_share_formerly_poor_bp * params.rural_income
    other_limit = params.oop_share_others_bp * params.rural_income
    sql = {
        "medical": f"""
            WITH here AS (SELECT DISTINCT p.household_id FROM r_medical r JOIN {people} p USING (id_key)),
            spent AS (SELECT id_key, sum(amount) AS amount FROM history WHERE period BETWEEN {first} AND {last} GROUP BY id_key),
            g AS (SELECT p.household_id, p.household_type, sum(s.amount) AS amount FROM spent s JOIN {people} p USING (id_key)
                  WHERE p.household_id IN (SELECT household_id FROM here) GROUP BY 1, 2)
            SELECT household_id, '合规自付' AS kind, '{period_label(first)} 至 {period_label(last)}' AS detail FROM g
            WHERE amount > 0 AND (amount * 10000 > CASE WHEN household_type = '脱贫户' THEN {poor_limit} ELSE {other_limit} END
                  OR amount > CASE WHEN household_type = '脱贫户' THEN {params.oop_fixed_low_income} ELSE {params.oop_fixed_ordinary} END)""",
        "civil": f"""
            SELECT DISTINCT p.household_id, CASE WHEN r.category = '临时救助' THEN '临时救助'
                   WHEN r.status = '新增' THEN '新增' || r.category ELSE r.category || '停发' END AS kind, '' AS detail
            FROM r_civil r JOIN {people} p USING (id_key)
            WHERE r.category = '临时救助' OR (r.category IN ('低保', '特困') AND r.status IN ('新增', '停发'))""",
        "education": f"""
            SELECT DISTINCT p.household_id, '义务教育阶段未在校' AS kind, '' AS detail FROM r_education r JOIN {people} p USING (id_key)
            WHERE r.status = '未在校' AND {age} BETWEEN 6 AND 16""",
        "housing": f"""
            SELECT DISTINCT p.household_id, '危房' AS kind, r.category AS detail FROM r_housing r JOIN {people} p USING (id_key)
            WHERE r.category IN ('C', 'D')""",
    }
    t0 = time.perf_counter()
    out = {}
    for source in records:
        rows = con.sql(
            f"SELECT * FROM ({sql[source]}) WHERE household_id NOT IN (SELECT household_id FROM excluded)"
        ).fetchall()
        out[source] = sorted(rows)
    return out, time.perf_counter() - t0


def _pandas(params, tables, members, records, history, excluded):
    import monitoring_pandas as mp

    t0 = time.perf_counter()
    h = tables["households"].to_pandas(types_mapper=_nullable)
    m = tables["members"].to_pandas(types_mapper=_nullable)
    i = tables["incomes"].to_pandas(types_mapper=_nullable)
    income = mp.income_candidates(h, m, i, params, year=YEAR, month=MONTH, excluded=excluded)
    t_income = time.perf_counter() - t0
    t0 = time.perf_counter()
    mem = members.to_pandas(types_mapper=_nullable)
    people = mp._people(mem)
    hist = history.to_pandas(types_mapper=_nullable)
    out = {}
    for source, table in records.items():
        r = table.to_pandas(types_mapper=_nullable)
        keys = mp.department_candidates(
            source, r, mem, params, year=YEAR, month=MONTH, excluded=excluded, history=hist, people=people
        )
        if source == "medical":
            from fanpin.matching.engine.departments import period_label, window_periods

            first, last = window_periods(YEAR, MONTH, params.oop_months)
            keys = [(h_, k, f"{period_label(first)} 至 {period_label(last)}") for h_, k, _ in keys]
        out[source] = sorted(keys)
    return income, out, t_income, time.perf_counter() - t0


def _nullable(arrow_type):
    import pandas as pd

    return {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype("pyarrow"),  # what pandas 3 uses for text by default
    }.get(arrow_type)


def _excluded() -> set[int]:
    from fanpin.monitoring.choices import LeadStatus
    from fanpin.monitoring.models import Lead
    from fanpin.registry.models import Household

    monitored = Household.objects.filter(category__gt="", risk_eliminated=False).values_list("id", flat=True)
    open_leads = Lead.objects.filter(status=LeadStatus.OPEN).exclude(year=YEAR, month=MONTH)
    return set(monitored) | set(open_leads.values_list("household_id", flat=True))


def cmd_compare(args) -> None:
    from fanpin.matching.engines import connect

    print(load_avg(), flush=True)
    params, tables, members, records, history = _inputs()
    excluded = _excluded()
    sizes = {s: t.num_rows for s, t in records.items()}
    print(
        f"{tables['households'].num_rows:,} households, {tables['members'].num_rows:,} people, "
        f"{tables['incomes'].num_rows:,} income rows; records {sizes}; medical history {history.num_rows:,} rows",
        flush=True,
    )
    con = connect("duckdb")
    income, dept, t_income, t_match = _engine(con, params, tables, members, records, history, excluded)
    print(
        f"engine (Ibis on DuckDB): income rules {t_income:.1f} s, matching + department rules {t_match:.1f} s",
        flush=True,
    )
    bare, t_bare = _bare_duckdb(params, members, records, history, excluded)
    print(
        f"bare DuckDB SQL, matching + department rules: {t_bare:.1f} s → engine / bare = {t_match / t_bare:.2f}",
        flush=True,
    )
    for source in records:
        assert bare[source] == dept[source], (source, len(bare[source]), len(dept[source]))
    p_income, p_dept, tp_income, tp_match = _pandas(params, tables, members, records, history, excluded)
    assert p_income == income, (len(p_income), len(income))
    for source in records:
        assert p_dept[source] == dept[source], (source, len(p_dept[source]), len(dept[source]))
    print(
        f"pandas {__import__('pandas').__version__}: income rules {tp_income:.1f} s, matching + department rules "
        f"{tp_match:.1f} s → pandas / engine = {(tp_income + tp_match) / (t_income + t_match):.1f}× "
        f"(income {tp_income / t_income:.1f}×, departments {tp_match / t_match:.1f}×)",
        flush=True,
    )
    print(
        f"identical results: {len(income):,} monitoring candidates; "
        + ", ".join(f"{s} {len(v):,}" for s, v in dept.items()),
        flush=True,
    )
    print(load_avg(), flush=True)


def _subset(tables, members, records, history, fraction: float):
    """The first `fraction` of the households (by id) with their people and income rows; the department
    records cut to the same fraction (every k-th row)."""
    hid = tables["households"].column("household_id")
    cutoff = pc.quantile(hid, q=fraction).to_pylist()[0] if fraction < 1 else None

    def keep(t, col="household_id"):
        return t if cutoff is None else t.filter(pc.less_equal(t.column(col), cutoff))

    def sample(t):
        if fraction >= 1:
            return t
        import numpy as np

        return t.filter(pa.array(np.arange(t.num_rows) % round(1 / fraction) == 0))

    sub = {k: keep(v) for k, v in tables.items()}
    return sub, keep(members), {s: sample(t) for s, t in records.items()}, sample(history)


def cmd_scale(args) -> None:
    from fanpin.matching.engines import connect

    print(load_avg(), flush=True)
    params, tables, members, records, history = _inputs()
    excluded = _excluded()
    total_people = tables["members"].num_rows
    con = connect("duckdb")
    results = {}
    for target in (250_000, 500_000, 1_000_000, total_people):
        fraction = min(1.0, target / total_people)
        sub, mem, rec, hist = _subset(tables, members, records, history, fraction)
        income, dept, t_income, t_match = _engine(con, params, sub, mem, rec, hist, excluded)
        results[target] = (income, dept)
        n_rec = sum(t.num_rows for t in rec.values()) + hist.num_rows
        print(
            f"{sub['members'].num_rows:>9,} people, {sub['incomes'].num_rows:>10,} income rows, {n_rec:>10,} department rows: "
            f"duckdb {t_income + t_match:.1f} s (income rules {t_income:.1f} + departments {t_match:.1f})",
            flush=True,
        )
        if args.spark and target == 1_000_000:
            spark = connect("spark")
            # One Arrow chunk per column: Spark's Arrow path refuses chunked columns (and its fallback
            # goes row by row through pandas).
            sub = {k: v.combine_chunks() for k, v in sub.items()}
            mem, hist = mem.combine_chunks(), hist.combine_chunks()
            rec = {k: v.combine_chunks() for k, v in rec.items()}
            t0 = time.perf_counter()
            s_income, s_dept, ts_income, ts_match = _engine(spark, params, sub, mem, rec, hist, excluded)
            print(
                f"{'':>9} spark local: {time.perf_counter() - t0:.1f} s (income rules {ts_income:.1f} + departments "
                f"{ts_match:.1f}); identical to duckdb: {s_income == income and s_dept == dept}",
                flush=True,
            )
            assert s_income == income and s_dept == dept
    print(load_avg(), flush=True)

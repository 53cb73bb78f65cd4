"""The department matching and rules are written once: DuckDB and Spark (local mode) give identical
matches and lead rows for every source."""

from __future__ import annotations

import random
from datetime import date

import ibis
import pyarrow as pa
import pytest

from fanpin.matching.engine.departments import (
    SOURCES,
    department_candidates,
    department_rows,
    match_records,
    unmatched_people,
)
from fanpin.matching.engines import connect
from fanpin.matching.tests.test_engines_agree import PARAMS
from fanpin.registry import idnumber

pytestmark = pytest.mark.spark

CHOICES = {
    "civil": (["低保", "特困", "临时救助"], ["新增", "停发"]),
    "education": (["小学", "初中", ""], ["在校", "未在校"]),
    "housing": (["A", "B", "C", "D"], [""]),
    "disability": (["一级", "二级", "三级", "四级"], ["新办", "升级"]),
    "employment": ([""], ["就业", "失业", "停止务工"]),
    "disaster": (["洪涝", "干旱", "冰雹"], [""]),
    "medical": ([""], [""]),
    "other": (["企业反映欠薪", "重大变故"], [""]),
}
RECORD_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("id_key", pa.string()),
        ("name", pa.string()),
        ("period", pa.int64()),
        ("year", pa.int64()),
        ("month", pa.int64()),
        ("amount", pa.int64()),
        ("total_cost", pa.int64()),
        ("category", pa.string()),
        ("status", pa.string()),
    ]
)


def _world(seed: int, households: int = 300):
    """Records as the loader keeps them (id_key = the normalised number, as identity.keys makes it)."""
    rng = random.Random(seed)
    members, ids = [], []
    member_id = 0
    for hid in range(1, households + 1):
        kind = rng.choice(["脱贫户", "一般农户"])
        for _ in range(rng.randint(1, 5)):
            member_id += 1
            birth = date(rng.randint(1940, 2022), rng.randint(1, 12), rng.randint(1, 28))
            number = idnumber.make("140321", birth, member_id % 1000)
            ids.append(number)
            members.append(
                {
                    "member_id": member_id,
                    "household_id": hid,
                    "id_key": number,
                    "birth_date": birth,
                    "household_type": kind,
                }
            )
    records = {}
    for source in SOURCES:
        categories, statuses = CHOICES[source]
        rows = []
        for rid in range(2, 400):
            number = rng.choice(ids) if rng.random() < 0.9 else idnumber.make("140322", date(1990, 1, 1), rid)
            year, month = rng.choice([(2024, rng.randint(6, 12)), (2025, rng.randint(1, 10))])
            rows.append(
                {
                    "row": rid,
                    "id_key": number,
                    "name": f"人{rid}",
                    "period": year * 12 + month - 1,
                    "year": year,
                    "month": month,
                    "amount": rng.choice([0, rng.randint(0, 3_000_000)]),
                    "total_cost": rng.randint(0, 6_000_000),
                    "category": rng.choice(categories),
                    "status": rng.choice(statuses),
                }
            )
        records[source] = pa.Table.from_pylist(rows, schema=RECORD_SCHEMA)
    return records, pa.Table.from_pylist(members)


def _run(engine: str, records, members, excluded):
    con = connect(engine)
    out = {}
    people = ibis.memtable(members)
    for source in SOURCES:
        matched = match_records(ibis.memtable(records[source]), people)
        history = None
        if source == "medical":  # earlier batches' claims: the civil file's rows stand in for them
            history = ibis.memtable(records["civil"]).select("id_key", "period", "amount", "total_cost")
            history = history.union(matched.select("id_key", "period", "amount", "total_cost"))
        rows = department_rows(source, matched, people, params=PARAMS, year=2025, month=10, history=history)
        candidates = department_candidates(rows, ibis.memtable(excluded))
        key = ("household_id", "kind", "detail", "year")
        out[source] = (
            sorted(
                con.to_pyarrow(matched.select("row", "member_id", "household_id")).to_pylist(),
                key=lambda r: r["row"],
            ),
            sorted(con.to_pyarrow(rows).to_pylist(), key=lambda r: tuple(r[k] for k in key)),
            con.to_pyarrow(candidates).to_pylist(),
            con.to_pyarrow(unmatched_people(matched).order_by("row")).to_pylist(),
        )
    return out


def test_duckdb_and_spark_give_identical_department_matches_and_leads():
    records, members = _world(seed=5)
    excluded = pa.table({"household_id": pa.array(list(range(1, 300, 3)), type=pa.int64())})
    duck = _run("duckdb", records, members, excluded)
    spark = _run("spark", records, members, excluded)
    for source in SOURCES:
        matches, rows, candidates, unmatched = duck[source]
        assert 0 < sum(1 for m in matches if m["household_id"] is None) < len(matches)
        assert 0 < len(candidates) <= len(rows), source
        assert 0 < len(unmatched) and all(u["rows"] >= 1 for u in unmatched)
        assert spark[source] == duck[source], source
    assert sum(len(d[2]) for d in duck.values()) < sum(len(d[1]) for d in duck.values())  # exclusions bite

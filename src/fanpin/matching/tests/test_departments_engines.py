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
        ("record_id", pa.int64()),
        ("id_number", pa.string()),
        ("year", pa.int64()),
        ("month", pa.int64()),
        ("amount", pa.int64()),
        ("total_cost", pa.int64()),
        ("category", pa.string()),
        ("status", pa.string()),
    ]
)


def _world(seed: int, households: int = 300):
    rng = random.Random(seed)
    members, homes, ids = [], [], []
    member_id = 0
    for hid in range(1, households + 1):
        homes.append({"household_id": hid, "household_type": rng.choice(["脱贫户", "一般农户"])})
        for _ in range(rng.randint(1, 5)):
            member_id += 1
            birth = date(rng.randint(1940, 2022), rng.randint(1, 12), rng.randint(1, 28))
            number = idnumber.make("140321", birth, member_id % 1000)
            ids.append(number)
            members.append(
                {"member_id": member_id, "household_id": hid, "id_number": number, "birth_date": birth}
            )
    records = {}
    for source in SOURCES:
        categories, statuses = CHOICES[source]
        rows = []
        for rid in range(1, 400):
            number = rng.choice(ids) if rng.random() < 0.9 else idnumber.make("140322", date(1990, 1, 1), rid)
            if rng.random() < 0.2:  # as typed: lower-case x, spaces
                number = " " + number[:6] + " " + number[6:].lower()
            rows.append(
                {
                    "record_id": rid,
                    "id_number": number,
                    "year": rng.choice([2024, 2025]),
                    "month": rng.randint(1, 12),
                    "amount": rng.choice([0, rng.randint(0, 3_000_000)]),
                    "total_cost": rng.randint(0, 6_000_000),
                    "category": rng.choice(categories),
                    "status": rng.choice(statuses),
                }
            )
        records[source] = pa.Table.from_pylist(rows, schema=RECORD_SCHEMA)
    return records, pa.Table.from_pylist(members), pa.Table.from_pylist(homes)


def _run(engine: str, records, members, households, excluded):
    con = connect(engine)
    out = {}
    for source in SOURCES:
        matched = match_records(ibis.memtable(records[source]), ibis.memtable(members))
        rows = department_rows(source, matched, ibis.memtable(households), params=PARAMS, year=2025, month=10)
        candidates = department_candidates(rows, ibis.memtable(excluded))
        key = ("household_id", "kind", "detail", "year")
        out[source] = (
            sorted(
                con.to_pyarrow(matched.select("record_id", "member_id", "household_id")).to_pylist(),
                key=lambda r: r["record_id"],
            ),
            sorted(con.to_pyarrow(rows).to_pylist(), key=lambda r: tuple(r[k] for k in key)),
            con.to_pyarrow(candidates).to_pylist(),
        )
    return out


def test_duckdb_and_spark_give_identical_department_matches_and_leads():
    records, members, households = _world(seed=5)
    excluded = pa.table({"household_id": pa.array(list(range(1, 300, 3)), type=pa.int64())})
    duck = _run("duckdb", records, members, households, excluded)
    spark = _run("spark", records, members, households, excluded)
    for source in SOURCES:
        matches, rows, candidates = duck[source]
        assert 0 < sum(1 for m in matches if m["household_id"] is None) < len(matches)
        assert 0 < len(candidates) <= len(rows), source
        assert spark[source] == duck[source], source
    assert sum(len(d[2]) for d in duck.values()) < sum(len(d[1]) for d in duck.values())  # exclusions bite

"""The quality rules are written once: DuckDB and Spark (local mode) give identical findings."""

from __future__ import annotations

import ibis
import pytest

from fanpin.matching.engine.quality import (
    HOUSEHOLD_SCHEMA,
    MEASURE_SCHEMA,
    MEMBER_SCHEMA,
    QualityParams,
    arrow_table,
    long_findings,
    quality_flags,
)
from fanpin.matching.engines import connect
from fanpin.quality.tests.cases import AS_OF, CASES, THRESHOLD, build

pytestmark = pytest.mark.spark


def _run(engine: str) -> list[dict]:
    households, members, measures = [], [], []
    for i, code in enumerate([None, *sorted(CASES)], start=1):
        h, ms, me = build(code, i, i * 10)
        households.append(h)
        members.extend(ms)
        measures.extend(me)
    con = connect(engine)
    mf, hf = quality_flags(
        households=ibis.memtable(arrow_table(households, HOUSEHOLD_SCHEMA)),
        members=ibis.memtable(arrow_table(members, MEMBER_SCHEMA)),
        measures=ibis.memtable(arrow_table(measures, MEASURE_SCHEMA)),
        params=QualityParams(threshold=THRESHOLD),
        as_of=AS_OF,
    )
    return long_findings(con.to_pyarrow(mf), con.to_pyarrow(hf)).to_pylist()


def test_duckdb_and_spark_give_identical_findings():
    duck = _run("duckdb")
    assert len({r["code"] for r in duck}) == len(CASES)  # every rule fires somewhere
    assert _run("spark") == duck

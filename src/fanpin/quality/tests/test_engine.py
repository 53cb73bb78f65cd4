"""Every rule fires on its own case and none fires on the clean household (DuckDB), and the result is
the same from run to run."""

from __future__ import annotations

import ibis
import pytest

from fanpin.matching.engine.quality import (
    HOUSEHOLD_SCHEMA,
    MEASURE_SCHEMA,
    MEMBER_SCHEMA,
    RULES,
    QualityParams,
    arrow_table,
    long_findings,
    quality_flags,
)
from fanpin.quality.tests.cases import AS_OF, CASES, THRESHOLD, build


def run_engine(cases: list[str | None], params: QualityParams | None = None):
    households, members, measures = [], [], []
    for i, code in enumerate(cases, start=1):
        h, ms, me = build(code, i, i * 10)
        households.append(h)
        members.extend(ms)
        measures.extend(me)
    con = ibis.duckdb.connect()
    mf, hf = quality_flags(
        households=ibis.memtable(arrow_table(households, HOUSEHOLD_SCHEMA)),
        members=ibis.memtable(arrow_table(members, MEMBER_SCHEMA)),
        measures=ibis.memtable(arrow_table(measures, MEASURE_SCHEMA)),
        params=params or QualityParams(threshold=THRESHOLD),
        as_of=AS_OF,
    )
    table = long_findings(con.to_pyarrow(mf), con.to_pyarrow(hf))
    fired: dict[int, set[str]] = {}
    for row in table.to_pylist():
        fired.setdefault(row["household_id"], set()).add(row["code"])
    return fired, table


ORDER = [None, *sorted(CASES)]


@pytest.fixture(scope="module")
def result():
    return run_engine(ORDER)


def test_the_rule_set_is_large_and_every_rule_has_a_case():
    assert len(RULES) >= 60
    assert sorted(CASES) == sorted(r.code for r in RULES)
    for r in RULES:
        assert r.level in ("error", "warning") and r.message and r.fields and r.basis
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message)


def test_the_clean_household_trips_no_rule(result):
    fired, _table = result
    assert 1 not in fired, fired.get(1)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_fires_on_its_case(result, code):
    fired, _table = result
    household_id = ORDER.index(code) + 1
    assert code in fired.get(household_id, set()), f"{code} did not fire; fired: {fired.get(household_id)}"


def test_same_result_across_runs(result):
    _fired, first = result
    _fired2, second = run_engine(ORDER)
    assert first.equals(second)
    assert first.num_rows > len(CASES)


def test_thresholds_come_from_the_parameters():
    """The welfare-job age limit and the wage ceiling are parameters: move them and the rules follow."""
    fired, _ = run_engine(["LB02", "IN05"])
    assert "LB02" in fired[1] and "IN05" in fired[2]
    relaxed = QualityParams(threshold=THRESHOLD, welfare_job_age_limit=80, monthly_wage_max=10_000_000)
    fired, _ = run_engine(["LB02", "IN05"], relaxed)
    assert "LB02" not in fired.get(1, set()) and "IN05" not in fired.get(2, set())
    # A lower monitoring threshold: the clean household (4,000 yuan per person) is now above the range.
    fired, _ = run_engine([None], QualityParams(threshold=300_000))
    assert "MO13" in fired[1]


def test_the_user_guide_lists_every_rule():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[4] / "docs" / "quality.md").read_text(encoding="utf-8")
    missing = [
        r.code
        for r in RULES
        if f"| {r.code} | {'错误' if r.level == 'error' else '提示'} | {r.message} |" not in guide
    ]
    assert not missing, f"docs/quality.md does not list: {missing}"

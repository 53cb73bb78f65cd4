"""The rules are written once: DuckDB and Spark (local mode) give identical facts and candidates."""

from __future__ import annotations

import random
from datetime import date

import ibis
import pyarrow as pa
import pytest

from fanpin.matching.engine.rules import RuleParams, household_facts, monitoring_candidates
from fanpin.matching.engines import connect

pytestmark = pytest.mark.spark

PARAMS = RuleParams(
    threshold=710_000,
    income_drop_bp=3_000,
    oop_share_formerly_poor_bp=5_000,
    oop_share_others_bp=10_000,
    rural_income=1_632_300,
    oop_fixed_low_income=1_000_000,
    oop_fixed_ordinary=2_600_000,
)
HEALTH = ["健康", "健康", "健康", "长期慢性病", "患大病", "残疾"]
LABOUR = ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力", ""]


def _world(seed: int, households: int = 400) -> dict[str, pa.Table]:
    rng = random.Random(seed)
    h, m, i = [], [], []
    for hid in range(1, households + 1):
        size = rng.randint(1, 6)
        flag = lambda p: None if rng.random() < 0.2 else rng.random() > p  # noqa: E731
        h.append(
            {
                "household_id": hid,
                "household_type": rng.choice(["脱贫户", "一般农户"]),
                "size": size if rng.random() > 0.02 else 0,
                "whole_no_labour": rng.random() < 0.05,
                "house_grade": rng.choice(["A", "B", "B", "C", "D", ""]),
                "house_dangerous": flag(0.05),
                "water_secured": flag(0.05),
                "water_quantity_ok": flag(0.02),
                "water_quality_ok": flag(0.02),
                "water_convenience_ok": flag(0.02),
                "water_reliability_ok": flag(0.02),
                "dropout": rng.random() < 0.02,
                "member_uninsured": flag(0.95),
            }
        )
        for _ in range(size):
            m.append(
                {
                    "household_id": hid,
                    "birth_date": date(rng.randint(1940, 2022), rng.randint(1, 12), rng.randint(1, 28)),
                    "health": rng.choice(HEALTH),
                    "labour_skill": rng.choice(LABOUR),
                    "resident_medical": rng.random() > 0.03,
                    "employee_medical": rng.random() < 0.05,
                    "school_status": rng.choice(["", "五年级", "八年级"]),
                    "not_in_school_reason": rng.choice(["", "", "", "身体原因"]),
                }
            )
        for year in (2024, 2025):
            if rng.random() < 0.3:
                i.append(
                    {
                        "household_id": hid,
                        "year": year,
                        "month": 1,
                        "months": 12,
                        **{c: rng.randint(0, 3_000_000) for c in COMPONENTS},
                    }
                )
            for month in range(1, 13):
                if rng.random() < 0.7:
                    i.append(
                        {
                            "household_id": hid,
                            "year": year,
                            "month": month,
                            "months": 1,
                            **{c: rng.randint(0, 300_000) for c in COMPONENTS},
                        }
                    )
    return {
        "households": pa.Table.from_pylist(h),
        "members": pa.Table.from_pylist(m),
        "incomes": pa.Table.from_pylist(i),
    }


COMPONENTS = ("wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket")


def _run(engine: str, world: dict[str, pa.Table], excluded: list[int]) -> tuple[list[dict], list[dict]]:
    con = connect(engine)
    facts = household_facts(
        households=ibis.memtable(world["households"]),
        members=ibis.memtable(world["members"]),
        incomes=ibis.memtable(world["incomes"]),
        params=PARAMS,
        end_year=2025,
        end_month=12,
    )
    excluded_table = ibis.memtable(pa.table({"household_id": pa.array(excluded, type=pa.int64())}))
    candidates = monitoring_candidates(facts, excluded_table)
    rows = sorted(con.to_pyarrow(facts).to_pylist(), key=lambda r: r["household_id"])
    return rows, con.to_pyarrow(candidates).to_pylist()


def test_duckdb_and_spark_give_identical_facts_and_leads():
    world = _world(seed=11)
    excluded = list(range(1, 400, 7))
    duck_facts, duck_leads = _run("duckdb", world, excluded)
    spark_facts, spark_leads = _run("spark", world, excluded)
    assert len(duck_facts) == 400
    triggered = [r for r in duck_facts if r["any_trigger"]]
    assert 0 < len(duck_leads) < len(triggered) < 400  # a world where rules fire and exclusions bite
    assert duck_facts == spark_facts
    assert duck_leads == spark_leads

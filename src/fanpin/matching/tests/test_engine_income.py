"""The Ibis income rule gives, to the cent, what fanpin.registry.income gives (the rule the pages use)."""

import random
from dataclasses import dataclass
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from fanpin.matching.engine.income import COMPONENTS, per_capita, window_income
from fanpin.registry.income import income_over_12_months


@dataclass
class Rec:
    household_id: int
    year: int
    month: int
    months: int
    wage: Decimal
    business: Decimal
    property_income: Decimal
    transfer: Decimal
    business_cost: Decimal
    claims: Decimal
    out_of_pocket: Decimal


def _random_records(seed: int, households: int = 300) -> list[Rec]:
    rng = random.Random(seed)
    out = []
    for h in range(1, households + 1):
        years = rng.choice([[2024], [2025], [2024, 2025]])
        for y in years:
            if rng.random() < 0.5:
                out.append(Rec(h, y, 1, 12, *(Decimal(rng.randint(0, 2_000_000)) / 100 for _ in COMPONENTS)))
        for y, m in rng.sample(
            [(2025, m) for m in range(1, 13)] + [(2024, m) for m in range(1, 13)], rng.randint(0, 14)
        ):
            out.append(Rec(h, y, m, 1, *(Decimal(rng.randint(0, 300_000)) / 100 for _ in COMPONENTS)))
    # Amounts that hit exact half-cent boundaries when divided by 12 (e.g. 0.10 yuan × 3 / 12 = 2.5 fen).
    out.append(Rec(households + 1, 2025, 1, 12, *(Decimal("0.10") for _ in COMPONENTS)))
    return out


def _table(records: list[Rec]) -> ibis.Table:
    data = {
        "household_id": [r.household_id for r in records],
        "year": [r.year for r in records],
        "month": [r.month for r in records],
        "months": [r.months for r in records],
    }
    for c in COMPONENTS:
        data[c] = [int(getattr(r, c) * 100) for r in records]
    return ibis.memtable(pa.table(data))


@pytest.mark.parametrize("seed,end", [(1, (2025, 3)), (2, (2025, 12)), (3, (2024, 7))])
def test_engine_matches_the_python_rule_to_the_cent(seed, end):
    records = _random_records(seed)
    engine = ibis.duckdb.connect()
    table = window_income(_table(records), end_year=end[0], end_month=end[1])
    sizes = {h: 1 + h % 5 for h in {r.household_id for r in records}}
    result = engine.to_pyarrow(table).to_pylist()
    got = {row["household_id"]: row for row in result}
    for h in sizes:
        expected = income_over_12_months(
            [r for r in records if r.household_id == h], end_year=end[0], end_month=end[1]
        )
        if expected.months_covered == 0:
            assert h not in got
            continue
        row = got[h]
        assert row["months_covered"] == expected.months_covered
        for c in COMPONENTS:
            assert Decimal(row[c]) / 100 == getattr(expected, c), (h, c)
        assert Decimal(row["net"]) / 100 == expected.net


def test_per_capita_rounds_half_up_like_the_python_rule():
    engine = ibis.duckdb.connect()
    t = ibis.memtable({"net": [1001, -1001, 5, 0, 700], "size": [2, 2, 2, 3, 0]})
    rows = engine.to_pyarrow(t.select(pc=per_capita(t.net, t.size))).column("pc").to_pylist()
    assert rows == [501, -501, 3, 0, None]

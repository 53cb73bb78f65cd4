"""The stored rollups equal a direct count over the households, node by node, on synthetic data; the
job and the command line compute them with progress."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from fanpin.core.models import Job
from fanpin.registry.models import Household
from fanpin.registry.services.synth import households_synthesize
from fanpin.reports.indicators import CATEGORY_KEYS, INDICATORS, RISK_KEYS
from fanpin.reports.models import Rollup
from fanpin.reports.services.rollup import rollup_compute

pytestmark = pytest.mark.django_db


REGISTRY_KEYS = [
    d.key
    for d in INDICATORS.values()
    if d.source == "registry" and d.key not in ("rate_base_people", "monitoring_rate")
] + ["monitoring_rate"]


def _direct(households: list[Household], ym: str) -> dict[str, int | Decimal]:
    """The registry indicators counted one household at a time, in plain Python."""
    c: dict[str, int] = defaultdict(int)
    for h in households:
        identified = bool(h.category) and (not h.identified_month or h.identified_month <= ym)
        gone = h.risk_eliminated and (not h.eliminated_month or h.eliminated_month <= ym)
        c["registered_households"] += 1
        c["registered_people"] += h.size
        if h.household_type == "脱贫户":
            c["formerly_poor_people"] += h.size
        if identified:
            c["identified_households"] += 1
            c["identified_people"] += h.size
            if gone:
                c["eliminated_households"] += 1
                c["eliminated_assisted_households"] += h.elimination_method == "帮扶消除"
            else:
                c["monitored_households"] += 1
                c["monitored_people"] += h.size
                key = CATEGORY_KEYS[h.category]
                c[f"monitored_{key}_households"] += 1
                c[f"monitored_{key}_people"] += h.size
                for risk in h.risk_list:
                    c[RISK_KEYS[risk]] += 1
        if h.category and h.identified_month == ym:
            c["new_households"] += 1
            c["new_people"] += h.size
        if h.category and h.risk_eliminated and h.eliminated_month == ym:
            c["eliminated_month_households"] += 1
    out: dict[str, int | Decimal] = dict(c)
    if c["registered_people"]:
        out["monitoring_rate"] = (Decimal(c["identified_people"]) * 100 / c["registered_people"]).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    return out


def test_rollups_equal_a_direct_count_for_every_node():
    households_synthesize(actor="测试", households=400, seed=7, area_code="140321", end="202509")
    # one month in the middle of the synthetic history and the last one
    rollup_compute(actor="测试", area_code="140321", months=[(2024, 3), (2025, 9)])
    everyone = list(Household.objects.filter(county_code="140321"))
    assert sum(1 for h in everyone if h.category) > 10  # the synthetic county has monitored households
    for year, month in [(2024, 3), (2025, 9)]:
        ym = f"{year}{month:02d}"
        nodes = defaultdict(list)
        for h in everyone:
            for code in (h.province_code, h.city_code, h.county_code, h.township_code, h.village_id):
                nodes[code].append(h)
        stored = defaultdict(dict)
        for code, key, value in Rollup.objects.filter(year=year, month=month).values_list(
            "area_code", "indicator", "value"
        ):
            stored[code][key] = value
        assert set(stored) == set(nodes)
        checked = 0
        for code, members in nodes.items():
            expected = _direct(members, ym)
            for key in REGISTRY_KEYS:
                assert stored[code][key] == expected.get(key, 0), (code, key, year, month)
                checked += 1
        assert checked > 100


def test_cli_computes_rollups_with_a_job(capsys):
    from fanpin.cli import main

    households_synthesize(actor="测试", households=60, seed=3, area_code="140321201", end="202509")
    assert main(["reports", "rollup", "--area", "140321201", "--month", "2025-08", "--month", "2025-09"]) == 0
    out = capsys.readouterr().out
    assert "140321201：2 个月" in out
    job = Job.objects.filter(kind="reports.rollup").latest("id")
    assert job.status == "succeeded" and job.progress_done == job.progress_total == 2
    assert Rollup.objects.filter(area_code="140321201", year=2025, month=9).exists()
    assert Rollup.objects.filter(area_code="14", year=2025, month=8).exists()  # ancestors too
    assert main(["reports", "rollup", "--area", "999999"]) == 1

"""The load test (bench/load) stays runnable: its prepare steps build a small database, and every task of
every Locust user class runs once against a live server — all requests succeed, the visit form really
records a visit and the township approval really moves a case on. No timing here (BENCHMARKS.md has it)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOAD = Path(__file__).resolve().parents[4] / "bench" / "load"


@pytest.fixture
def load_steps():
    sys.path.insert(0, str(LOAD))
    try:
        import steps

        yield steps
    finally:
        sys.path.remove(str(LOAD))


def test_every_locust_task_runs_against_a_small_database(transactional_db, live_server, tmp_path, load_steps):
    # Only look for Locust: importing it here would monkey-patch this process with gevent (the live
    # server's threads would hang). Its tasks run in a subprocess (bench/load/check_tasks.py).
    if importlib.util.find_spec("locust") is None:
        pytest.skip("Locust is in the test extra: pip install -e '.[test]'")
    from fanpin.assistance.models import Visit
    from fanpin.casework.models import Case

    config = load_steps.Config(
        accounts_path=tmp_path / "accounts.json",
        area="140321",
        households=1500,
        counties=["140321"],
        townships_per_county=1,
        villages_per_township=2,
        min_village_households=5,
        cases={"verification": 1, "appraisal": 1, "notice": 1, "township": 2, "county": 1, "approved": 1},
        api_readers=2,
        rollup_months=1,
    )
    skipped = {"demo", "analyze"}  # the demo's 平定县 data is not needed; ANALYZE is PostgreSQL upkeep
    for name, step in load_steps.STEPS:
        if name not in skipped:
            step(config)
    accounts = json.loads(config.accounts_path.read_text(encoding="utf-8"))
    township = accounts["township"][0]["area"]
    assert accounts["village"] and accounts["county"] and all(a["token"] for a in accounts["api"])
    in_queue = Case.objects.filter(household__township_code=township, status="township").count()
    assert in_queue == 2
    visits = Visit.objects.count()

    env = {**os.environ, "LOAD_ACCOUNTS": str(config.accounts_path)}
    done = subprocess.run(
        [sys.executable, str(LOAD / "check_tasks.py"), live_server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["_errors"] == []
    for cls in ("VillageUser", "TownshipUser", "CountyUser", "ApiReader"):
        assert result[cls], f"{cls} made no requests"
        assert all(failures == 0 for _count, failures in result[cls].values()), result[cls]
    village, town, county, api = (
        result[k] for k in ("VillageUser", "TownshipUser", "CountyUser", "ApiReader")
    )
    # the pages behind links were found and opened, the forms were posted
    for name in (
        "/households/{id}/",
        "/assistance/households/{id}/",
        "/assistance/households/{id}/visits/new/ [POST]",
    ):
        assert name in village, sorted(village)
    assert "/cases/{id}/act/ [POST review]" in town, sorted(town)
    assert "/reports/" in county and "/reports/area/{code}/" in county, sorted(county)
    assert "/api/households/{id}/" in api and "/api/members/?household={id}" in api, sorted(api)
    # and they changed what a user would see: one more visit, one case less in the township queue
    assert Visit.objects.count() == visits + 1
    assert Case.objects.filter(household__township_code=township, status="township").count() == in_queue - 1
    assert Case.objects.filter(household__township_code=township, status="county").count() == 2

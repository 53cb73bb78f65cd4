"""No lost writes under concurrency, on a real PostgreSQL server: eight threads at a time, released
together, each committing its own transaction (concurrency_check.py, run in a database of its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fanpin.core.tests.browser_server import separate_postgres_database

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="row locks are tested on PostgreSQL (scripts/test's second pass)",
)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    with separate_postgres_database(os.environ["DATABASE_URL"], suffix="concurrency") as url:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(DATABASE_URL=url, FANPIN_HOME=str(tmp_path_factory.mktemp("home")))
        result = subprocess.run(
            [sys.executable, "-m", "fanpin.core.tests.concurrency_check"],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_same_version_saved_by_eight_editors_keeps_one_and_tells_the_others(outcome):
    edit = outcome["edit"]
    assert edit["ok"] == 1 and len(edit["refused"]) == 7
    assert all("已被他人修改" in message for message in edit["refused"])
    assert edit["version_after"] == edit["version_before"] + 1
    assert edit["address"] in edit["addresses_tried"]
    assert edit["audit_updates"] == 1


def test_eight_members_added_at_once_are_all_counted(outcome):
    members = outcome["members"]
    assert members["ok"] == 8 and members["rows"] == 8
    assert members["size"] == 8  # 家庭人口数 recounted after every add, none lost
    assert members["heads"] == 1


def test_eight_heads_at_once_leave_one_head(outcome):
    assert outcome["heads"] == {"ok": 1, "heads": 1}


def test_green_channel_pressed_by_eight_staff_opens_one_case(outcome):
    green = outcome["green"]
    assert green["ok"] == 1 and green["cases"] == 1
    assert all("已是监测对象" in message for message in green["refused"])
    assert green["category"] == "突发严重困难户"


def test_eight_months_of_income_entered_at_once_all_count(outcome):
    incomes = outcome["incomes"]
    assert incomes["ok"] == 8 and incomes["records"] == 8
    assert incomes["net_income"] == incomes["expected"] + ".00"

"""Approval under concurrency, on a real PostgreSQL server: eight clerks at once, each in its own
committed transaction (concurrency_check.py, in a database of its own). The case row is locked
(select_for_update) for the whole transition, so one approval wins and the others are told why."""

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
    with separate_postgres_database(os.environ["DATABASE_URL"], suffix="casework") as url:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(DATABASE_URL=url, FANPIN_HOME=str(tmp_path_factory.mktemp("home")))
        result = subprocess.run(
            [sys.executable, "-m", "fanpin.casework.tests.concurrency_check"],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_eight_approvals_at_once_approve_once(outcome):
    approve = outcome["approve"]
    assert approve["ok"] == 1 and len(approve["refused"]) == 7
    assert all("【办理顺序】" in message and "已纳入监测" in message for message in approve["refused"])
    assert approve["steps"] == 1 and approve["audit"] == 1 and approve["household_updates"] == 1
    assert approve["identified_month"] == "202106"


def test_eight_clues_for_one_household_at_once_open_one_case(outcome):
    opened = outcome["open"]
    assert opened["ok"] == 1 and opened["cases"] == 1
    assert all("【同一户同时只能有一件在办业务】" in message for message in opened["refused"])

"""Case indicators (casework) and measure / visit coverage (assistance) against hand counts, and the
overdue list of the monthly report."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from fanpin.casework.models import Case
from fanpin.casework.services.cases import case_open
from fanpin.casework.tests.world import give_measure
from fanpin.monitoring.tests.world import GUANSHAN, QLZ, policy_2025
from fanpin.reports.models import Rollup
from fanpin.reports.services.rollup import rollup_compute

pytestmark = pytest.mark.django_db


def _values(code: str, year: int, month: int) -> dict[str, Decimal]:
    return dict(
        Rollup.objects.filter(area_code=code, year=year, month=month).values_list("indicator", "value")
    )


@pytest.fixture
def cases(world):
    """Two identification cases opened through the casework service (a cadre found the clue):
    f (秋林庄村) opened 2025-08-20 and decided 2025-09-10 (21 days);
    d (冠山镇) opened 2025-09-03, still open, its overall deadline 2025-09-15 passed in September.
    The decision and the deadline are set on the rows: the workflow's own steps are casework's tests."""
    f = case_open(
        actor="测试",
        household=world["f"],
        kind="identification",
        channel="cadre",
        on=date(2025, 8, 20),
        summary="干部排查：户主患病",
    )
    d = case_open(
        actor="测试",
        household=world["d"],
        kind="identification",
        channel="cadre",
        on=date(2025, 9, 3),
        summary="干部排查：收入骤减",
    )
    Case.objects.filter(pk=f.pk).update(
        status="approved", decided_on=date(2025, 9, 10), decided_month="202509"
    )
    Case.objects.filter(pk=d.pk).update(
        due_on=date(2025, 9, 15), step_entered_on=date(2025, 9, 3), step_due_on=date(2025, 10, 20)
    )
    return {"f": f, "d": d}


def test_case_indicators_match_a_hand_count(cases):
    rollup_compute(actor="测试", area_code="140321", months=[(2025, 8), (2025, 9)])
    village_aug, village_sep = _values(QLZ, 2025, 8), _values(QLZ, 2025, 9)
    assert village_aug["cases_open"] == 1 and village_aug["cases_decided"] == 0  # f open at 31 August
    assert "case_days_avg" not in village_aug  # nothing decided in August: no figure
    assert village_sep["cases_open"] == 0 and village_sep["cases_decided"] == 1
    assert village_sep["case_days_avg"] == Decimal("21.0")
    assert village_sep["cases_overdue"] == 0
    chakou = _values("140321201204", 2025, 9)  # c's village: no cases at all → zeros, not "no figure"
    assert (chakou["cases_open"], chakou["cases_overdue"], chakou["cases_decided"]) == (0, 0, 0)
    assert "case_days_avg" not in chakou
    guanshan_aug, guanshan_sep = _values("140321100", 2025, 8), _values("140321100", 2025, 9)
    assert guanshan_aug["cases_open"] == 0  # opened on 3 September
    assert guanshan_sep["cases_open"] == 1 and guanshan_sep["cases_overdue"] == 1
    county = _values("140321", 2025, 9)
    assert (county["cases_open"], county["cases_overdue"], county["cases_decided"]) == (1, 1, 1)
    assert county["case_days_avg"] == Decimal("21.0")


def test_measure_and_visit_coverage_match_a_hand_count(world):
    from fanpin.assistance.services.visits import visit_record

    # Monitored at the end of September 2025: a (脱贫不稳定户, 秋林庄村) and c (突发严重困难户, 岔口村).
    give_measure(world["a"], start=date(2025, 5, 1))
    give_measure(world["c"], start=date(2025, 10, 5))  # starts after September: not in place on 30 Sept
    visit_record(
        actor="测试", household=world["a"], visited_on=date(2025, 9, 12), visitors="王建国", findings="正常"
    )
    visit_record(
        actor="测试", household=world["c"], visited_on=date(2025, 10, 2), visitors="王建国", findings="正常"
    )
    rollup_compute(actor="测试", area_code="140321", months=[(2025, 9), (2025, 10)])
    township_sep, township_oct = _values("140321201", 2025, 9), _values("140321201", 2025, 10)
    assert township_sep["measure_coverage_unstable"] == Decimal("100.0")  # a: 1 of 1
    assert township_sep["measure_coverage_sudden"] == Decimal("0.0")  # c: 0 of 1
    assert "measure_coverage_marginal" not in township_sep  # no 边缘易致贫户 monitored: no figure
    assert township_sep["visit_coverage"] == Decimal("50.0")  # a visited, c not
    assert township_oct["measure_coverage_sudden"] == Decimal("100.0")
    assert township_oct["visit_coverage"] == Decimal("50.0")  # c visited, a not


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_monthly_report_lists_the_overdue_cases(cases, make_user, client_for, tmp_path):
    policy_2025()
    rollup_compute(actor="测试", area_code="140321", months=[(2025, 9)])
    client = client_for(make_user("county", "140321"))
    response = client.get(reverse("reports:area_pdf", args=["140321"]) + "?month=2025-09")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    line = next(ln for ln in text.splitlines() if f"{GUANSHAN}D001" in ln)
    assert "识别纳入" in line and "2025-09-15" in line and "15" in line.split("2025-09-15")[-1]
    assert f"{QLZ}F001" not in text  # decided in time: not overdue
    assert "超期案件数" in text


def test_visit_changes_queue_one_rollup_of_the_county(world, django_capture_on_commit_callbacks):
    from fanpin.assistance.services.visits import visit_record
    from fanpin.core.jobs import job_run_now
    from fanpin.core.models import Job

    rollup_compute(actor="测试", area_code="140321", months=[(2025, 8), (2025, 9)])
    assert _values("140321201", 2025, 9)["visit_coverage"] == Decimal("0.0")
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(
            actor="测试",
            household=world["a"],
            visited_on=date(2025, 9, 12),
            visitors="王建国",
            findings="正常",
        )
    job = Job.objects.get(kind="reports.rollup", status="queued")
    assert job.area_code == "140321" and job.params["months"] == ["2025-09"]
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(
            actor="测试",
            household=world["b"],
            visited_on=date(2025, 8, 5),
            visitors="王建国",
            findings="正常",
        )
        visit_record(
            actor="测试", household=world["e"], visited_on=date(2025, 9, 1), visitors="李", findings="正常"
        )
    job = Job.objects.get(kind="reports.rollup", status="queued")  # still one job: months added to it
    assert job.params["months"] == ["2025-08", "2025-09"]  # 盂县 (e) has no rollups: nothing queued for it
    job_run_now(job)
    assert _values("140321201", 2025, 9)["visit_coverage"] == Decimal("50.0")  # a of a, c
    assert _values("140321201", 2025, 8)["visit_coverage"] == Decimal(
        "50.0"
    )  # b of a, b (c came in September)


def test_a_household_edit_queues_all_months_of_its_county(world, django_capture_on_commit_callbacks):
    from fanpin.core.jobs import job_run_now
    from fanpin.core.models import Job
    from fanpin.registry.services.households import household_update

    rollup_compute(actor="测试", area_code="140321", months=[(2025, 8), (2025, 9)])
    assert _values(QLZ, 2025, 8)["monitored_households"] == 2  # a and b
    with django_capture_on_commit_callbacks(execute=True):
        household_update(
            actor="测试", household=world["f"], category="边缘易致贫户", identified_month="202507"
        )
    job = Job.objects.get(kind="reports.rollup", status="queued")
    assert job.area_code == "140321" and job.params["months"] == ["2025-08", "2025-09"]
    job_run_now(job)
    assert _values(QLZ, 2025, 8)["monitored_households"] == 3  # f identified in July now counts
    assert _values(QLZ, 2025, 9)["monitored_marginal_households"] == 1  # b eliminated, f monitored

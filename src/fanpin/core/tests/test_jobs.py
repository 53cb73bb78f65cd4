"""Background jobs: queue order, single claim, final states, progress and who may see a job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue, job_kind, job_run_next, job_run_now, registered_kinds
from fanpin.core.models import Job
from fanpin.core.models.job import JobStatus

pytestmark = pytest.mark.django_db


@job_kind("test.count")
def count_job(ctx, params: dict) -> dict:
    total = params.get("n", 4)
    for i in range(1, total + 1):
        ctx.progress(i, total)
        ctx.count("已处理行", 1)
    ctx.set_count("跳过", 2)
    ctx.log(f"共 {total} 行")
    return {"n": total}


@job_kind("test.refuse")
def refuse_job(ctx, params: dict) -> dict:
    ctx.progress(3, 10)
    raise ApplicationError(
        "数据有误，请改正后重试。", details=[{"file": "a.csv", "row": 7, "reason": "代码无效"}]
    )


@job_kind("test.crash")
def crash_job(ctx, params: dict) -> dict:
    ctx.progress(1, 4)
    raise ValueError("boom")


def enqueue(kind="test.count", title="测试任务", **kw) -> Job:
    return job_enqueue(kind=kind, title=title, **kw)


def reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


# --- the queue ----------------------------------------------------------------------------------


def test_test_kinds_are_registered():
    assert {"test.count", "test.refuse", "test.crash", "divisions.load"} <= set(registered_kinds())


def test_unknown_kind_cannot_be_queued():
    with pytest.raises(ApplicationError, match="未知的任务类型"):
        enqueue(kind="test.nope")
    assert not Job.objects.filter(kind="test.nope").exists()


def test_enqueued_job_waits():
    job = enqueue(params={"n": 2})
    assert reload(job).status == JobStatus.QUEUED
    assert reload(job).started_at is None


def test_run_next_runs_the_oldest_queued_job():
    first = enqueue(title="一", params={"n": 1})
    second = enqueue(title="二", params={"n": 1})
    oldest = enqueue(title="最早", params={"n": 1})  # queued last, but dated earliest
    Job.objects.filter(pk=oldest.pk).update(created_at=first.created_at - timedelta(minutes=1))
    Job.objects.filter(pk=second.pk).update(created_at=first.created_at + timedelta(seconds=1))
    assert job_run_next().pk == oldest.pk
    assert reload(oldest).status == JobStatus.SUCCEEDED
    assert reload(first).status == JobStatus.QUEUED
    assert reload(second).status == JobStatus.QUEUED
    assert job_run_next().pk == first.pk
    assert reload(second).status == JobStatus.QUEUED
    assert job_run_next().pk == second.pk
    assert reload(second).status == JobStatus.SUCCEEDED
    assert job_run_next() is None


def test_run_next_skips_jobs_that_are_not_queued():
    done = enqueue(params={"n": 1})
    job_run_now(done)
    running = enqueue(params={"n": 1})
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
    assert job_run_next() is None
    assert reload(running).status == JobStatus.RUNNING


def test_job_cannot_be_run_twice():
    job = enqueue(params={"n": 2})
    job_run_now(job)
    finished = reload(job)
    with pytest.raises(ApplicationError, match="不能重复执行"):
        job_run_now(job)
    again = reload(job)
    assert again.status == JobStatus.SUCCEEDED
    assert again.finished_at == finished.finished_at
    assert again.log == finished.log


def test_running_job_cannot_be_claimed_again():
    job = enqueue()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    with pytest.raises(ApplicationError):
        job_run_now(job)
    assert reload(job).status == JobStatus.RUNNING


# --- final states -------------------------------------------------------------------------------


def test_successful_job_records_progress_counts_log_and_result():
    seen = []
    job_run_now(enqueue(params={"n": 5}), on_progress=lambda d, t: seen.append((d, t)))
    job = Job.objects.get(kind="test.count")
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert job.percent == 100
    assert job.counts == {"已处理行": 5, "跳过": 2}
    assert job.result == {"n": 5}
    assert "共 5 行" in job.log
    assert job.error == ""
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert job.worker
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_job_raising_application_error_fails_with_message():
    job = job_run_now(enqueue(kind="test.refuse"))
    assert job.status == JobStatus.FAILED
    stored = reload(job)
    assert stored.status == JobStatus.FAILED
    assert stored.error.startswith("数据有误，请改正后重试。")
    assert "a.csv 第 7 行" in stored.error
    assert stored.result == {"details": [{"file": "a.csv", "row": 7, "reason": "代码无效"}]}
    assert "失败：数据有误" in stored.log
    assert (stored.progress_done, stored.progress_total) == (3, 10)
    assert stored.percent == 30
    assert stored.finished_at is not None


def test_crashing_job_fails_with_internal_error():
    job_run_now(enqueue(kind="test.crash"))
    stored = Job.objects.get(kind="test.crash")
    assert stored.status == JobStatus.FAILED
    assert "内部错误" in stored.error
    assert "ValueError" in stored.error
    assert stored.finished_at is not None
    assert stored.is_finished


def test_job_of_a_kind_no_longer_registered_fails():
    job = Job.objects.create(kind="test.removed", title="旧任务")
    assert job_run_next().pk == job.pk
    stored = reload(job)
    assert stored.status == JobStatus.FAILED
    assert "未知的任务类型" in stored.error


# --- the job page -------------------------------------------------------------------------------


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pingding")


def test_job_page_shows_status_and_percent_in_chinese(client_for, county_user):
    job = enqueue(kind="test.refuse", actor=county_user, area_code="140321")
    client = client_for(county_user)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "排队中" in html
    assert "0%" in html
    assert 'hx-trigger="every 1s"' in html  # keeps polling while not finished
    job_run_now(job)
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "测试任务" in html
    assert "失败" in html
    assert "30%" in html
    assert "已处理 3 / 10" in html
    assert "数据有误" in html
    assert 'hx-trigger="every 1s"' not in html  # stops polling when finished


def test_finished_job_page_shows_100_percent(client_for, county_user):
    job = job_run_now(enqueue(params={"n": 3}, actor=county_user, area_code="140321"))
    html = client_for(county_user).get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in html
    assert "100%" in html
    assert "已处理行" in html


def test_htmx_request_gets_only_the_progress_fragment(client_for, county_user):
    job = job_run_now(enqueue(params={"n": 3}, actor=county_user, area_code="140321"))
    response = client_for(county_user).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<nav" not in html
    assert html.lstrip().startswith('<div id="job-progress"')
    assert "已完成" in html
    assert "100%" in html


def test_user_of_another_area_cannot_see_the_job(client_for, county_user, make_user):
    job = job_run_now(enqueue(params={"n": 1}, actor=county_user, area_code="140321"))
    gujiao = make_user("county", "140181", username="gujiao")
    client = client_for(gujiao)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 404
    assert "测试任务" not in client.get("/jobs/").content.decode()
    # their own job they can see
    own = job_run_now(enqueue(title="古交的任务", params={"n": 1}, actor=gujiao, area_code="140181"))
    assert client.get(f"/jobs/{own.pk}/").status_code == 200
    assert client.get(f"/api/jobs/{own.pk}/").json()["status"] == "succeeded"
    assert "古交的任务" in client.get("/jobs/").content.decode()


def test_jobs_are_visible_within_the_area_and_to_their_creator(
    client_for, county_user, village_user, make_user
):
    village_job = enqueue(title="村里的任务", actor=village_user, area_code="140321201249")
    county_job = enqueue(title="县里的任务", actor=county_user, area_code="140321")
    unscoped = enqueue(title="无区划任务", actor=village_user)
    # the county sees what happens in its villages, not the other way round
    assert client_for(county_user).get(f"/jobs/{village_job.pk}/").status_code == 200
    village = client_for(village_user)
    assert village.get(f"/jobs/{county_job.pk}/").status_code == 404
    assert village.get(f"/jobs/{village_job.pk}/").status_code == 200
    # a job without an area is seen by its creator only
    assert village.get(f"/jobs/{unscoped.pk}/").status_code == 200
    other = make_user("village", "140321201204", username="neighbour")
    assert client_for(other).get(f"/jobs/{unscoped.pk}/").status_code == 404
    assert client_for(other).get(f"/jobs/{village_job.pk}/").status_code == 404


def test_job_page_needs_login(client):
    job = enqueue()
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""Background jobs: a database-backed queue (no broker), progress, counts and a log.

A job kind is a function registered with @job_kind("name"); it receives a JobContext and the job's
params. `job_enqueue` queues a job; `job_run_next` (called by `fanpin worker` and by the demo server's
worker thread) claims the oldest queued job atomically and runs it; `job_run_now` runs a job in the
current process (the CLI does this, with a progress bar).

Jobs that write keep their long phases (parsing, validation) outside write transactions, so the
progress they report is visible to the progress page while they run, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from fanpin.core.errors import ApplicationError
from fanpin.core.models import Job
from fanpin.core.models.job import JobStatus

logger = logging.getLogger("fanpin.jobs")

JobFunction = Callable[["JobContext", dict], dict | None]
_REGISTRY: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(fn: JobFunction) -> JobFunction:
        _REGISTRY[name] = fn
        return fn

    return register


def registered_kinds() -> list[str]:
    return sorted(_REGISTRY)


class JobContext:
    """Handed to a job function: report progress, counts and log lines."""

    def __init__(self, job: Job, on_progress: Callable[[int, int], None] | None = None):
        self.job = job
        self.on_progress = on_progress
        self._last_save = 0.0

    def _save(self, *fields: str, force: bool = False) -> None:
        # Inside a write transaction on SQLite a save would be invisible until commit (and lost on
        # rollback); only save progress outside, and always at the end.
        now = time.monotonic()
        if not force and now - self._last_save < 0.5:
            return
        if transaction.get_connection().in_atomic_block and not force:
            return
        self._last_save = now
        Job.objects.filter(pk=self.job.pk).update(**{f: getattr(self.job, f) for f in fields})

    def progress(self, done: int, total: int | None = None) -> None:
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if self.on_progress:
            self.on_progress(self.job.progress_done, self.job.progress_total)
        self._save("progress_done", "progress_total")

    def count(self, key: str, n: int = 1) -> None:
        self.job.counts[key] = self.job.counts.get(key, 0) + n

    def set_count(self, key: str, n: int) -> None:
        self.job.counts[key] = n

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log += f"[{stamp}] {line}\n"
        logger.info("job %s: %s", self.job.pk, line)
        self._save("log", "counts")


@transaction.atomic
def job_enqueue(
    *, kind: str, title: str, params: dict | None = None, actor: Any = None, area_code: str = ""
) -> Job:
    if kind not in _REGISTRY:
        raise ApplicationError(f"未知的任务类型“{kind}”。")
    return Job.objects.create(
        kind=kind,
        title=title,
        params=params or {},
        created_by=actor if getattr(actor, "pk", None) else None,
        area_code=area_code,
    )


def _claim(job_id: int, worker: str) -> bool:
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker
        )
    )


def _execute(job: Job, on_progress: Callable[[int, int], None] | None = None) -> Job:
    fn = _REGISTRY.get(job.kind)
    ctx = JobContext(job, on_progress)
    try:
        if fn is None:
            raise ApplicationError(f"未知的任务类型“{job.kind}”。")
        result = fn(ctx, job.params) or {}
        job.status = JobStatus.SUCCEEDED
        job.result = result
    except ApplicationError as exc:
        job.status = JobStatus.FAILED
        job.error = str(exc)
        job.result = {"details": exc.details[:1000]}
        ctx.log("失败：" + exc.message)
    except Exception as exc:  # noqa: BLE001 — a job must always end in a final state
        job.status = JobStatus.FAILED
        job.error = f"内部错误：{exc.__class__.__name__}: {exc}"
        ctx.log(job.error)
        logger.error("job %s crashed\n%s", job.pk, traceback.format_exc())
    job.finished_at = timezone.now()
    ctx._save(
        "status",
        "result",
        "error",
        "finished_at",
        "counts",
        "log",
        "progress_done",
        "progress_total",
        force=True,
    )
    return job


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_run_now(job: Job, on_progress: Callable[[int, int], None] | None = None) -> Job:
    """Run a queued job in this process (used by the CLI)."""
    if not _claim(job.pk, _worker_name()):
        raise ApplicationError("该任务已在运行或已结束，不能重复执行。")
    job.refresh_from_db()
    return _execute(job, on_progress)


def job_run_next() -> Job | None:
    """Claim the oldest queued job, if any, and run it. Safe with several workers."""
    worker = _worker_name()
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:5]
    ):
        if _claim(job_id, worker):
            job = Job.objects.get(pk=job_id)
            return _execute(job)
    return None


def worker_loop(*, poll_seconds: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    while not stop():
        try:
            ran = job_run_next()
        except Exception:  # noqa: BLE001
            logger.exception("job worker error")
            ran = None
        if ran is None:
            time.sleep(poll_seconds)

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
_ON_ABANDON: dict[str, Callable[[Job], None]] = {}
RECOVERY_SECONDS = 60.0  # how often a polling worker looks for jobs whose process died


def job_kind(
    name: str, *, on_abandon: Callable[[Job], None] | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function. `on_abandon(job)` puts right what the job had marked before its
    transaction began (e.g. a batch set to "merging") when the process running it died."""

    def register(fn: JobFunction) -> JobFunction:
        _REGISTRY[name] = fn
        if on_abandon is not None:
            _ON_ABANDON[name] = on_abandon
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


ABANDONED = (
    "任务中断：执行它的进程已退出（被终止、崩溃或断电）。它的写入在一个事务中，数据库已全部撤销，"
    "没有写入一半的数据。请重新运行。"
)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def jobs_recover_abandoned() -> int:
    """Jobs this machine's processes left "running" and then died without finishing: mark them failed
    (their writes were rolled back by the database) and let their kind undo its marks. Returns how many.
    Run when a worker starts and now and then while it polls; jobs of other machines are left to them."""
    host = socket.gethostname()
    recovered = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, worker__startswith=f"{host}:"):
        try:
            pid = int(job.worker.rsplit(":", 1)[1])
        except ValueError:
            continue
        if pid == os.getpid() or _process_alive(pid):
            continue
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=ABANDONED, finished_at=timezone.now()
            ):
                continue
            handler = _ON_ABANDON.get(job.kind)
            if handler is not None:
                handler(job)
        logger.warning("job %s (%s) abandoned by dead process %s: marked failed", job.pk, job.kind, pid)
        recovered += 1
    return recovered


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
    last_recovery = 0.0
    while not stop():
        if time.monotonic() - last_recovery > RECOVERY_SECONDS:
            last_recovery = time.monotonic()
            try:
                jobs_recover_abandoned()
            except Exception:  # noqa: BLE001
                logger.exception("recovering abandoned jobs failed")
        try:
            ran = job_run_next()
        except Exception:  # noqa: BLE001
            logger.exception("job worker error")
            ran = None
        if ran is None:
            time.sleep(poll_seconds)

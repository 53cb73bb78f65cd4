"""`fanpin departments load --source SOURCE FILE`: load a department file, match it, raise leads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fanpin.core.errors import ApplicationError
from fanpin.core.progress import progress_bar


def _run(job, *, quiet: bool, label: str, unit: str = "步"):
    from fanpin.core.jobs import job_run_now

    if quiet:
        return job_run_now(job)
    bar, update = progress_bar(label, unit=unit)
    job = job_run_now(job, on_progress=update)
    bar.close()
    return job


def departments_load(args) -> int:
    from fanpin.core.models.job import JobStatus
    from fanpin.monitoring.commands import _month
    from fanpin.monitoring.departments.load import department_batch_create
    from fanpin.monitoring.departments.match import department_match_request
    from fanpin.monitoring.forms import _last_month
    from fanpin.monitoring.models import DepartmentBatch

    path = Path(args.files[0])
    result: dict = {"source": args.source, "file": path.name, "area": args.area}
    try:
        if not path.is_file():
            raise ApplicationError(f"找不到文件“{path}”。")
        year, month = _month(args.month or _last_month())
        result["month"] = f"{year}-{month:02d}"
        batch, job = department_batch_create(
            actor="命令行",
            source=args.source,
            path=path,
            file_name=path.name,
            area_code=args.area,
            year=year,
            month=month,
        )
        result["batch"] = batch.pk
        # Progress in bytes of a .csv file, rows of a .parquet/.xlsx file.
        job = _run(job, quiet=args.json, label="读取部门数据", unit="")
        if job.status == JobStatus.SUCCEEDED:
            job = _run(
                department_match_request(actor="命令行", batch=batch, engine=args.engine),
                quiet=args.json,
                label="生成预警线索",
            )
    except ApplicationError as exc:
        result.update(status="refused", error=exc.message)
        _print(result, args.json, error=exc.message)
        return 1
    batch = DepartmentBatch.objects.get(pk=batch.pk)
    result.update(status=batch.status, counts=batch.counts)
    if job.status != JobStatus.SUCCEEDED:
        result["error"] = job.error
        _print(result, args.json, error=job.error)
        return 1
    c = batch.counts
    _print(
        result,
        args.json,
        text=f"第 {batch.pk} 批 {batch.get_source_display()} {path.name}：有效记录 {c['kept']} 条，"
        f"问题 {c['issues']} 处，档案中没有的人 {c['unmatched_people']} 个，新线索 {c['leads']} 条",
    )
    return 0


def _print(result: dict, as_json: bool, *, text: str = "", error: str = "") -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif error:
        print(error, file=sys.stderr)
    else:
        print(text)

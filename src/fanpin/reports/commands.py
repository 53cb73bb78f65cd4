"""`fanpin reports rollup …`: compute the indicator rollups on the command line, with progress."""

from __future__ import annotations

import json
import sys


def reports_rollup(args) -> int:
    from fanpin.core.errors import ApplicationError
    from fanpin.core.jobs import job_run_now
    from fanpin.core.models.job import JobStatus
    from fanpin.core.progress import progress_bar
    from fanpin.reports.services.requests import rollup_request
    from fanpin.reports.services.rollup import last_months, parse_month

    try:
        months = [parse_month(m) for m in args.month] if args.month else last_months(args.months)
        job = rollup_request(actor="命令行", area_code=args.area, months=months)
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        job = job_run_now(job)
    else:
        bar, update = progress_bar("指标汇总", unit="月")
        job = job_run_now(job, on_progress=update)
        bar.close()
    if job.status != JobStatus.SUCCEEDED:
        print(job.error, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(job.result, ensure_ascii=False, indent=2))
    else:
        r = job.result
        print(f"{r['area']}：{r['months']} 个月，{r['nodes']} 个区划节点，{r['rows']} 行指标汇总")
    return 0

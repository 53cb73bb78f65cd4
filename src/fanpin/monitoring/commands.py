"""`fanpin monitor …`, `fanpin leads …`, `fanpin policy …`: monitoring on the command line."""

from __future__ import annotations

import json
import sys
from datetime import date

from fanpin.core.errors import ApplicationError
from fanpin.core.progress import progress_bar


def _month(text: str) -> tuple[int, int]:
    year, _, month = (text or "").partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ApplicationError(f"月份“{text}”应写作 YYYY-MM，如 2026-10。")
    return int(year), int(month)


def monitor_run(args) -> int:
    from fanpin.core.jobs import job_run_now
    from fanpin.core.models.job import JobStatus
    from fanpin.monitoring.models import MonitoringRun
    from fanpin.monitoring.services.runs import monitoring_run_request

    try:
        year, month = _month(args.month)
        run, job = monitoring_run_request(
            actor="命令行", area_code=args.area, year=year, month=month, engine=args.engine
        )
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        job = job_run_now(job)
    else:
        bar, update = progress_bar("月度监测", unit="步")
        job = job_run_now(job, on_progress=update)
        bar.close()
    run = MonitoringRun.objects.get(pk=run.pk)
    result = {
        "run": run.pk,
        "area": run.area_code,
        "month": f"{year}-{month:02d}",
        "status": run.status,
        "engine": run.engine,
        "threshold": str(run.policy.threshold),
        "counts": run.counts,
    }
    if job.status != JobStatus.SUCCEEDED:
        result["error"] = job.error
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif job.status == JobStatus.SUCCEEDED:
        c = run.counts
        print(
            f"{run.area_code} {year}-{month:02d}：{c['households']} 户 {c['people']} 人，低于监测范围 "
            f"{c['below_threshold']} 户，新线索 {c['leads']} 条"
        )
    else:
        print(job.error, file=sys.stderr)
    return 0 if job.status == JobStatus.SUCCEEDED else 1


def leads_export(args) -> int:
    from fanpin.core.excel import xlsx_bytes
    from fanpin.monitoring.models import Lead

    try:
        year, month = _month(args.month)
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    qs = Lead.objects.filter(year=year, month=month).select_related("household", "household__village")
    if args.area:
        from fanpin.core.scope import household_fields

        if not (args.area.isdigit() and len(args.area) in household_fields()):
            print(f"区划代码“{args.area}”应为 2、4、6、9 或 12 位数字。", file=sys.stderr)
            return 1
        qs = qs.filter(**{household_fields("household__")[len(args.area)]: args.area})
    rows = (
        (
            lead.household.code,
            lead.household.head_name,
            lead.household.village.name,
            lead.get_source_display(),
            lead.suggested_category,
            "、".join(lead.risk_list),
            lead.reason,
            lead.get_status_display(),
            lead.handling_note,
        )
        for lead in qs.order_by("household__code").iterator(chunk_size=2000)
    )
    data = xlsx_bytes(
        sheet=f"预警线索{year}{month:02d}",
        headers=["户编号", "户主", "村", "来源", "建议监测类别", "风险类型", "预警原因", "状态", "核实情况"],
        rows=rows,
        widths=[22, 10, 16, 12, 14, 24, 60, 10, 30],
    )
    with open(args.out, "wb") as out:
        out.write(data)
    print(f"已导出 {qs.count()} 条线索到 {args.out}")
    return 0


def policy_set(args) -> int:
    from fanpin.monitoring.services.policy import policy_setting_create

    try:
        setting = policy_setting_create(
            actor="命令行",
            province_code=args.province,
            year=args.year,
            threshold=args.threshold,
            effective_from=date.fromisoformat(args.effective_from)
            if args.effective_from
            else date(args.year, 1, 1),
            params=dict(p.split("=", 1) for p in args.param or []),
            source=args.source,
        )
    except (ApplicationError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已保存：{setting}")
    return 0

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import JobContext, job_kind
from fanpin.monitoring.models import MonitoringRun
from fanpin.monitoring.services.runs import monitoring_run_execute, monitoring_run_fail


@job_kind("monitoring.run")
def monitoring_run_job(ctx: JobContext, params: dict) -> dict:
    run = MonitoringRun.objects.select_related("policy").get(pk=params["run"])
    ctx.log(f"开始月度监测：{run.area_code} {run.year}-{run.month:02d}（{run.engine}）")
    try:
        counts = monitoring_run_execute(run=run, on_progress=lambda d, t: ctx.progress(d, t))
    except ApplicationError as exc:
        monitoring_run_fail(run=run, message=exc.message)
        raise
    except Exception as exc:
        monitoring_run_fail(run=run, message=f"{exc.__class__.__name__}: {exc}")
        raise
    labels = {
        "households": "户数",
        "people": "人数",
        "below_threshold": "低于监测范围",
        "income_incomplete": "收入记录不足 12 个月",
        "triggered": "触发规则",
        "leads": "新线索",
        "skipped_monitored_or_open": "已监测或已有线索（未重复）",
    }
    for key, value in counts.items():
        ctx.set_count(labels.get(key, key), value)
    ctx.log(f"完成：新线索 {counts['leads']} 条")
    from fanpin.reports.services.rollup import rollup_after_run

    rollup_after_run(run=run, log=ctx.log)
    return {"run": run.pk, **counts}


from fanpin.monitoring.departments import tasks as _department_tasks  # noqa: E402, F401 — registers its job kinds

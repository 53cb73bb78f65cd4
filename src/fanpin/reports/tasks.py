from fanpin.core.jobs import JobContext, job_kind
from fanpin.reports.services.rollup import parse_month, rollup_compute


@job_kind("reports.rollup")
def rollup_job(ctx: JobContext, params: dict) -> dict:
    months = [parse_month(m) for m in params["months"]]
    area = params["area"]
    ctx.log(f"开始计算指标汇总：{area}，{len(months)} 个月")
    counts = rollup_compute(
        actor=ctx.job.created_by or params.get("actor") or "后台任务",
        area_code=area,
        months=months,
        on_progress=lambda d, t: ctx.progress(d, t),
    )
    ctx.set_count("月份", counts["months"])
    ctx.set_count("区划节点", counts["nodes"])
    ctx.set_count("汇总行", counts["rows"])
    ctx.log(f"完成：{counts['rows']} 行")
    return {"area": area, **counts}

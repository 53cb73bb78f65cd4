from fanpin.core.jobs import JobContext, job_kind
from fanpin.divisions.services.load import divisions_load


@job_kind("divisions.load")
def load_divisions_job(ctx: JobContext, params: dict) -> dict:
    ctx.log(f"开始导入行政区划：{len(params['paths'])} 个文件")
    result = divisions_load(
        actor=ctx.job.created_by or "系统", paths=params["paths"], on_progress=lambda d, t: ctx.progress(d, t)
    )
    for key, value in result.as_dict()["by_level"].items():
        ctx.set_count(key, value)
    ctx.log(f"完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
    return result.as_dict()

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import JobContext, job_kind
from fanpin.quality.models import QualityRun
from fanpin.quality.services.runs import quality_run_execute, quality_run_fail


@job_kind("quality.run")
def quality_run_job(ctx: JobContext, params: dict) -> dict:
    run = QualityRun.objects.select_related("policy").get(pk=params["run"])
    ctx.log(f"开始数据质量校验：{run.file_name or run.area_code}（{run.engine}）")
    try:
        counts = quality_run_execute(run=run, on_progress=lambda d, t: ctx.progress(d, t))
    except ApplicationError as exc:
        quality_run_fail(run=run, message=exc.message)
        raise
    except Exception as exc:
        quality_run_fail(run=run, message=f"{exc.__class__.__name__}: {exc}")
        raise
    labels = {
        "households": "户数",
        "people": "人数",
        "error_households": "有错误的户",
        "warning_households": "仅有提示的户",
        "errors": "错误",
        "warnings": "提示",
        "exempted": "已豁免",
    }
    for key, label in labels.items():
        ctx.set_count(label, counts.get(key, 0))
    ctx.log(f"完成：质量得分 {counts['score']}，错误 {counts['errors']} 处，提示 {counts['warnings']} 处")
    return {"run": run.pk, **counts}

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import JobContext, job_kind
from fanpin.monitoring.departments.load import department_batch_fail, department_batch_load
from fanpin.monitoring.departments.match import department_batch_match, department_match_fail
from fanpin.monitoring.models import DepartmentBatch

LOAD_LABELS = {
    "rows": "数据行",
    "kept": "有效记录",
    "bad_rows": "有问题的行（未保存）",
    "issues": "问题",
    "matched": "匹配到档案",
    "unmatched": "档案中没有的人的记录",
    "unmatched_people": "档案中没有的人",
    "matched_households": "涉及户数",
}
MATCH_LABELS = {
    **LOAD_LABELS,
    "triggered": "触发规则的户",
    "leads": "新线索",
    "skipped_open_or_monitored": "已监测或已有线索（未重复）",
}


def _counts(ctx: JobContext, counts: dict, labels: dict) -> None:
    for key, label in labels.items():
        if key in counts:
            ctx.set_count(label, counts[key])


@job_kind("departments.load")
def department_load_job(ctx: JobContext, params: dict) -> dict:
    batch = DepartmentBatch.objects.get(pk=params["batch"])
    ctx.log(f"开始读取部门数据：{batch.get_source_display()} {batch.file_name}")
    try:
        counts = department_batch_load(batch=batch, on_progress=lambda d, t: ctx.progress(d, t))
    except ApplicationError as exc:
        department_batch_fail(batch=batch, message=exc.message)
        raise
    except Exception as exc:
        department_batch_fail(batch=batch, message=f"{exc.__class__.__name__}: {exc}")
        raise
    _counts(ctx, counts, LOAD_LABELS)
    ctx.log(f"完成：有效记录 {counts['kept']} 条，问题 {counts['issues']} 处")
    return {"batch": batch.pk, **counts}


@job_kind("departments.match")
def department_match_job(ctx: JobContext, params: dict) -> dict:
    batch = DepartmentBatch.objects.get(pk=params["batch"])
    ctx.log(f"开始生成预警线索：第 {batch.pk} 批 {batch.file_name}")
    try:
        counts = department_batch_match(
            batch=batch, engine=params.get("engine", "duckdb"), on_progress=lambda d, t: ctx.progress(d, t)
        )
    except ApplicationError as exc:
        department_match_fail(batch=batch, message=exc.message)
        raise
    except Exception as exc:
        department_match_fail(batch=batch, message=f"{exc.__class__.__name__}: {exc}")
        raise
    _counts(ctx, counts, MATCH_LABELS)
    ctx.log(f"完成：新线索 {counts['leads']} 条")
    return {"batch": batch.pk, **counts}

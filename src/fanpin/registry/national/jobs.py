"""Background jobs of the national-format import and export."""

from __future__ import annotations

from django.db import transaction

from fanpin.core.bulk import gc_paused
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import JobContext, job_kind
from fanpin.core.services.audit import audit_record
from fanpin.registry.models import ImportBatch
from fanpin.registry.models.import_batch import ImportStatus
from fanpin.registry.national.flow import batch_transition
from fanpin.registry.national.incomes import merge_incomes, parse_incomes, write_income_staging
from fanpin.registry.national.merge import merge_batch
from fanpin.registry.national.parse import parse_national, write_staging
from fanpin.registry.services.imports import save_issues


def _batch_abandoned(job, from_status: str, to_status: str, message: str) -> None:
    """The process running this batch's job died (core.jobs.jobs_recover_abandoned): put the batch back
    where a person can go on from."""
    batch = ImportBatch.objects.filter(pk=job.params.get("batch"), status=from_status).first()
    if batch is not None:
        batch_transition(batch, to_status, message=message)


def _parse_abandoned(job) -> None:
    _batch_abandoned(
        job, ImportStatus.PARSING, ImportStatus.REFUSED, "解析中断（执行进程已退出），请重新上传文件。"
    )


def _merge_abandoned(job) -> None:
    _batch_abandoned(
        job,
        ImportStatus.MERGING,
        ImportStatus.REVIEW,
        "导入中断（执行进程已退出），数据未写入；可以再次导入。",
    )


@job_kind("registry.import_parse", on_abandon=_parse_abandoned)
def import_parse_job(ctx: JobContext, params: dict) -> dict:
    batch = ImportBatch.objects.get(pk=params["batch"])
    batch = batch_transition(batch, ImportStatus.PARSING)
    ctx.log(f"开始解析 {batch.file_name}")
    if batch.kind == "incomes":
        return _parse_incomes(ctx, batch)
    try:
        with gc_paused():
            result = parse_national(
                path=batch.file_path,
                file_name=batch.file_name,
                area_code=batch.area_code,
                on_progress=lambda d, t: ctx.progress(d, t),
            )
            write_staging(result, batch.staging_path)
    except ApplicationError as exc:
        batch_transition(batch, ImportStatus.REFUSED, message=exc.message)
        raise
    errors = result.error_count
    counts = {
        "rows": result.rows,
        "households": len(result.households),
        "members": result.members,
        "errors": errors,
        "warnings": len(result.issues) - errors,
        "households_with_errors": len(result.bad_households),
        "valid_households": sum(1 for code in result.households if code not in result.bad_households),
        "new_households": sum(1 for h in result.households.values() if not h.exists),
        "existing_households": sum(1 for h in result.households.values() if h.exists),
        "blocking": result.blocking,
    }
    with transaction.atomic():
        save_issues(batch, result.issues)
        if result.rows == 0 and not result.issues:
            batch_transition(batch, ImportStatus.REFUSED, counts=counts, message="文件中没有数据行。")
            raise ApplicationError("文件中没有数据行。")
        if result.blocking and not result.households:
            batch_transition(
                batch,
                ImportStatus.REFUSED,
                counts=counts,
                unknown_columns=result.unknown_columns,
                message="文件不能导入，请查看错误清单。",
            )
        else:
            batch_transition(
                batch, ImportStatus.REVIEW, counts=counts, unknown_columns=result.unknown_columns
            )
    labels = {
        "rows": "数据行",
        "households": "户",
        "members": "人",
        "errors": "错误",
        "warnings": "提示",
        "households_with_errors": "有错误的户",
        "new_households": "新户",
        "existing_households": "已有户",
    }
    for key, label in labels.items():
        ctx.set_count(label, counts[key])
    ctx.log(
        f"解析完成：{counts['households']} 户 {counts['members']} 人，错误 {errors} 处，提示 {counts['warnings']} 处"
    )
    return {"batch": batch.pk, **counts}


@job_kind("registry.import_merge", on_abandon=_merge_abandoned)
def import_merge_job(ctx: JobContext, params: dict) -> dict:
    batch = ImportBatch.objects.get(pk=params["batch"])
    actor = ctx.job.created_by or "命令行"
    ctx.log(f"开始导入 {batch.file_name}（{batch.get_merge_mode_display()}）")
    try:
        merge = merge_incomes if batch.kind == "incomes" else merge_batch
        with gc_paused():
            summary = merge(
                batch=batch, mode=params["mode"], actor=actor, on_progress=lambda d, t: ctx.progress(d, t)
            )
    except Exception:
        batch_transition(batch, ImportStatus.REVIEW, message="导入失败，数据未写入；请查看任务日志。")
        raise
    with transaction.atomic():
        batch_transition(batch, ImportStatus.MERGED, changes=summary)
        audit_record(actor=actor, action="import.merge", obj=batch, area_code=batch.area_code, after=summary)
    labels = {
        "households_created": "新增户",
        "households_updated": "修改户",
        "households_unchanged": "未变户",
        "households_skipped": "跳过（有错误）户",
        "members_added": "新增成员",
        "members_updated": "修改成员",
        "members_removed": "减员",
        "records_created": "新增收入记录",
        "records_replaced": "替换收入记录",
        "households": "涉及户数",
    }
    for key, value in summary.items():
        ctx.set_count(labels.get(key, key), value)
    ctx.log("导入完成：" + "，".join(f"{labels.get(k, k)} {v}" for k, v in summary.items()))
    return summary


@job_kind("registry.export_national")
def export_national_job(ctx: JobContext, params: dict) -> dict:
    from pathlib import Path

    from django.conf import settings

    from fanpin.divisions.models import Division
    from fanpin.registry.models import Household
    from fanpin.registry.national.export import export_national

    area = params["area"]
    division = Division.objects.get(code=area)
    field = {2: "province_code", 4: "city_code", 6: "county_code", 9: "township_code", 12: "village_id"}[
        len(area)
    ]
    folder = Path(settings.FANPIN_HOME) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"export-{ctx.job.pk}.xlsx"
    ctx.log(f"导出 {division.full_name}")
    rows = export_national(
        households=Household.objects.filter(**{field: area}),
        path=path,
        area_name=division.full_name,
        area_code=area,
        year=params.get("year"),
        on_progress=lambda d, t: ctx.progress(d, t),
    )
    ctx.set_count("成员行", rows)
    ctx.log(f"完成：{rows} 行")
    if ctx.job.created_by_id:
        with transaction.atomic():
            audit_record(
                actor=ctx.job.created_by,
                action="export.national",
                object_type="core.job",
                object_id=str(ctx.job.pk),
                object_repr=path.name,
                area_code=area,
                note=f"{rows} 行",
            )
    return {"path": str(path), "file_name": f"监测对象信息-{division.name}-{area}.xlsx", "rows": rows}


def _parse_incomes(ctx: JobContext, batch: ImportBatch) -> dict:
    try:
        result, rows = parse_incomes(
            path=batch.file_path,
            file_name=batch.file_name,
            area_code=batch.area_code,
            on_progress=lambda d, t: ctx.progress(d, t),
        )
    except ApplicationError as exc:
        batch_transition(batch, ImportStatus.REFUSED, message=exc.message)
        raise
    write_income_staging(result, rows, batch.staging_path)
    errors = result.error_count
    bad_rows = sum(1 for r in rows if r.get("key", "") in result.bad_households or not r.get("household_id"))
    counts = {
        "rows": result.rows,
        "households": len({r.get("household_id") for r in rows if r.get("household_id")}),
        "errors": errors,
        "warnings": len(result.issues) - errors,
        "households_with_errors": len(result.bad_households),
        "valid_households": len(rows) - bad_rows,
        "blocking": result.blocking,
    }
    with transaction.atomic():
        save_issues(batch, result.issues)
        status = ImportStatus.REVIEW if rows else ImportStatus.REFUSED
        batch_transition(
            batch,
            status,
            counts=counts,
            unknown_columns=result.unknown_columns,
            message="" if rows else "文件中没有数据行。",
        )
    ctx.set_count("数据行", result.rows)
    ctx.set_count("错误", errors)
    ctx.log(f"解析完成：{result.rows} 行，错误 {errors} 处")
    return {"batch": batch.pk, **counts}

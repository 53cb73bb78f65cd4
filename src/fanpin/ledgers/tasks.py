"""Job kinds of the ledger import: the check and the write (see framework/services.py).

If a job crashes or its process dies, the batch is put back so that it never stays 检查中 / 写入中: a check
becomes 待确认 with one error saying to upload again; a write goes back to 待确认 (the database rolled its
transaction back, so nothing was written) and can be confirmed again."""

from __future__ import annotations

from fanpin.core.jobs import job_kind


def _actor(ctx):
    return ctx.job.created_by or "导入任务"


def _put_back(batch_id: int, *, parsing: bool) -> None:
    from django.db import transaction

    from fanpin.ledgers.models import LedgerImport, LedgerImportIssue
    from fanpin.ledgers.models.imports import LedgerImportStatus

    with transaction.atomic():
        batch = LedgerImport.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            return
        if parsing and batch.status == LedgerImportStatus.PARSING:
            LedgerImportIssue.objects.filter(batch=batch).delete()
            LedgerImportIssue.objects.create(batch=batch, message="检查中断（系统错误），请重新上传该文件。")
            batch.counts = {"rows": 0, "errors": 1}
            batch.status = LedgerImportStatus.REVIEW
            batch.save(update_fields=["counts", "status"])
        elif not parsing and batch.status == LedgerImportStatus.COMMITTING:
            batch.status = LedgerImportStatus.REVIEW
            batch.message = "写入中断（系统错误），未写入任何记录；可以重新确认导入。"
            batch.save(update_fields=["status", "message"])


def _abandoned_parse(job) -> None:
    _put_back(job.params.get("batch"), parsing=True)


def _abandoned_commit(job) -> None:
    _put_back(job.params.get("batch"), parsing=False)


@job_kind("ledgers.import_parse", on_abandon=_abandoned_parse)
def import_parse(ctx, params: dict) -> dict:
    from fanpin.ledgers.framework.services import ledger_import_parse
    from fanpin.ledgers.models import LedgerImport

    batch = LedgerImport.objects.get(pk=params["batch"])
    try:
        counts = ledger_import_parse(batch=batch, user=_actor(ctx), on_progress=ctx.progress)
    except Exception:
        _put_back(batch.pk, parsing=True)
        raise
    for key, value in counts.items():
        ctx.set_count(key, value)
    ctx.log(f"检查完成：{counts.get('rows', 0)} 行，错误 {counts.get('errors', 0)} 处")
    return {"batch": batch.pk}


@job_kind("ledgers.import_commit", on_abandon=_abandoned_commit)
def import_commit(ctx, params: dict) -> dict:
    from fanpin.core.errors import ApplicationError
    from fanpin.ledgers.framework.services import ledger_import_write
    from fanpin.ledgers.models import LedgerImport

    batch = LedgerImport.objects.get(pk=params["batch"])
    try:
        counts = ledger_import_write(batch=batch, actor=_actor(ctx), on_progress=ctx.progress)
    except ApplicationError:
        raise  # the service already put the batch back with its errors
    except Exception:
        _put_back(batch.pk, parsing=False)
        raise
    for key, value in counts.items():
        ctx.set_count(key, value)
    ctx.log(
        f"已导入：新增 {counts['created']} 条，修改 {counts['updated']} 条，未变 {counts['unchanged']} 条"
    )
    return {"batch": batch.pk}

"""Job kinds of the ledger import: the check and the write (see framework/services.py)."""

from __future__ import annotations

from fanpin.core.jobs import job_kind


def _actor(ctx):
    return ctx.job.created_by or "导入任务"


@job_kind("ledgers.import_parse")
def import_parse(ctx, params: dict) -> dict:
    from fanpin.ledgers.framework.services import ledger_import_parse
    from fanpin.ledgers.models import LedgerImport

    batch = LedgerImport.objects.get(pk=params["batch"])
    counts = ledger_import_parse(batch=batch, user=_actor(ctx), on_progress=ctx.progress)
    for key, value in counts.items():
        ctx.set_count(key, value)
    ctx.log(f"检查完成：{counts.get('rows', 0)} 行，错误 {counts.get('errors', 0)} 处")
    return {"batch": batch.pk}


@job_kind("ledgers.import_commit")
def import_commit(ctx, params: dict) -> dict:
    from fanpin.ledgers.framework.services import ledger_import_write
    from fanpin.ledgers.models import LedgerImport

    batch = LedgerImport.objects.get(pk=params["batch"])
    counts = ledger_import_write(batch=batch, actor=_actor(ctx), on_progress=ctx.progress)
    for key, value in counts.items():
        ctx.set_count(key, value)
    ctx.log(
        f"已导入：新增 {counts['created']} 条，修改 {counts['updated']} 条，未变 {counts['unchanged']} 条"
    )
    return {"batch": batch.pk}

"""The import batch's state machine: the only place a batch's status changes."""

from __future__ import annotations

from django.utils import timezone

from fanpin.core.errors import ApplicationError
from fanpin.registry.models import ImportBatch
from fanpin.registry.models.import_batch import ImportStatus as S

TRANSITIONS = {
    S.UPLOADED: {S.PARSING, S.CANCELLED},
    S.PARSING: {S.REVIEW, S.REFUSED},
    S.REVIEW: {S.MERGING, S.CANCELLED, S.PARSING},
    S.MERGING: {S.MERGED, S.REVIEW},
}


def batch_transition(batch: ImportBatch, to: str, **fields) -> ImportBatch:
    """Move `batch` to state `to` if it is still in the state we read; refuse otherwise (no double merge)."""
    current = batch.status
    if to not in TRANSITIONS.get(current, set()):
        raise ApplicationError(f"导入批次当前状态为“{S(current).label}”，不能改为“{S(to).label}”。")
    stamp = {}
    if to == S.REVIEW and current == S.PARSING:
        stamp["parsed_at"] = timezone.now()
    if to == S.MERGED:
        stamp["merged_at"] = timezone.now()
    updated = ImportBatch.objects.filter(pk=batch.pk, status=current).update(status=to, **stamp, **fields)
    if not updated:
        raise ApplicationError("该导入批次已被他人处理，请刷新页面。")
    batch.refresh_from_db()
    return batch

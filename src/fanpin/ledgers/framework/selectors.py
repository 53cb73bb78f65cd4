"""Reads of ledger entries, always restricted to the user's area."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fanpin.core.scope import restrict
from fanpin.ledgers.framework.definition import HOUSEHOLD, MEMBER, Ledger


def _related(ledger: Ledger) -> list[str]:
    names = {c.name for c in ledger.columns}
    related = ["area"]
    if HOUSEHOLD in names:
        related.append("household")
    if MEMBER in names:
        related.append("member")
    return related


def entry_list(*, user: Any, ledger: Ledger, filters: dict | None = None) -> QuerySet:
    qs = restrict(ledger.model.objects.select_related(*_related(ledger)), user=user, field="area__code")
    f = filters or {}
    area = str(f.get("area") or "").strip()
    if area.isdigit():
        qs = qs.filter(area__code__startswith=area)
    for name in ledger.filters:
        value = f.get(name)
        if value in (None, ""):
            continue
        field = ledger.model._meta.get_field(name)
        if field.get_internal_type() == "BooleanField":
            qs = qs.filter(**{name: str(value) in ("1", "True", "true")})
        else:
            qs = qs.filter(**{name: value})
    q = str(f.get("q") or "").strip()
    if q and ledger.search:
        cond = Q()
        for name in ledger.search:
            cond |= Q(**{f"{name}__contains": q})
        qs = qs.filter(cond)
    return qs.order_by(*ledger.order)


def entry_get(*, user: Any, ledger: Ledger, entry_id: int):
    entry = entry_list(user=user, ledger=ledger).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("该记录不存在或不在您的管辖范围内")
    return entry


def entry_history(*, user: Any, ledger: Ledger, entry) -> QuerySet:
    from fanpin.core.models import AuditEvent

    entry_get(user=user, ledger=ledger, entry_id=entry.pk)
    return AuditEvent.objects.filter(
        object_type=ledger.model._meta.label_lower, object_id=str(entry.pk)
    ).order_by("-created_at", "-id")


def import_list(*, user: Any, ledger: Ledger | None = None) -> QuerySet:
    from fanpin.ledgers.models import LedgerImport

    qs = restrict(LedgerImport.objects.select_related("created_by"), user=user, field="area_code")
    if ledger is not None:
        qs = qs.filter(ledger=ledger.slug)
    return qs


def import_get(*, user: Any, batch_id: int):
    batch = import_list(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("导入批次不存在或不在您的管辖范围内")
    return batch

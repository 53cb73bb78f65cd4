"""Reads of ledger entries, always restricted to the user's area."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from fanpin.core.scope import restrict
from fanpin.ledgers.framework.definition import Ledger


def _related(ledger: Ledger) -> list[str]:
    """Every related row a list shows (area, household, member, a workshop …), joined in one query."""
    related = ["area"]
    fields = {f.name: f for f in ledger.model._meta.get_fields()}
    for column in ledger.columns:
        field = fields.get(column.name)
        if field is not None and field.many_to_one and column.name not in related:
            related.append(column.name)
    return related


def entry_list(*, user: Any, ledger: Ledger, filters: dict | None = None, trusted: bool = False) -> QuerySet:
    """Entries in the user's area, filtered. `trusted=True` (the command line, run by the operator on the
    server) skips the area restriction."""
    qs = ledger.model.objects.select_related(*_related(ledger))
    if not trusted:
        qs = restrict(qs, user=user, field="area__code")
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
            continue
        try:
            value = field.to_python(value)
        except ValidationError:  # a year that is not a number, …: nothing can match it
            return qs.none()
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

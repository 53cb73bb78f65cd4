"""Shown and exported values of a ledger entry (personal data masked unless allowed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from fanpin.core.masking import mask_id, mask_phone
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Column, Ledger


def raw_value(ledger: Ledger, column: Column, entry) -> Any:
    if column.getter is not None:
        return column.getter(entry)
    if column.name == AREA:
        return entry.area_id
    if column.name == HOUSEHOLD:
        return entry.household.code if entry.household_id else ""
    if column.name == MEMBER:
        return entry.member.id_number if entry.member_id else ""
    value = getattr(entry, column.name)
    if isinstance(value, Model):
        return value.pk  # a related ledger entry is written as its 编号 (read back by the import)
    return value


def shown_value(
    ledger: Ledger, column: Column, entry, *, personal: bool = False, export: bool = False
) -> Any:
    """The value as a person reads it: masked personal data, 是/否, dates as text kept as dates; a related
    entry by name and 编号 on pages, by 编号 alone in exports."""
    value = raw_value(ledger, column, entry)
    if not export and column.getter is None and column.name not in (AREA, HOUSEHOLD, MEMBER):
        related = getattr(entry, column.name)
        if isinstance(related, Model):
            return f"{related}（编号 {related.pk}）"
    kind = column.personal or ("id" if column.name == MEMBER else "")
    if kind and not personal and value:
        return mask_id(str(value)) if kind == "id" else mask_phone(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return value


def snapshot(ledger: Ledger, entry) -> dict:
    """Field → plain value, for audit events (ID numbers are keyed `id_number` so they are masked)."""
    out: dict[str, Any] = {}
    for column in ledger.columns:
        if column.getter is not None:
            continue
        value = raw_value(ledger, column, entry)
        key = (
            "id_number" if column.name == MEMBER else ("phone" if column.personal == "phone" else column.name)
        )
        if isinstance(value, Decimal) and column.name not in (AREA, HOUSEHOLD, MEMBER):
            places = ledger.model._meta.get_field(column.name).decimal_places
            value = value.quantize(Decimal(1).scaleb(-places))  # 10000.5 and 10000.50 are the same amount
        if isinstance(value, Decimal | date | datetime):
            value = str(value)
        out[key] = value
    if hasattr(entry, "status"):
        out["status"] = entry.status
    return out

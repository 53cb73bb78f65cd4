from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields) -> dict:
    return {f: plain(getattr(obj, f)) for f in fields}

"""家庭纯收入 and 人均纯收入 kept on the household: recomputed from its income records after any change."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from fanpin.registry.income import FIELDS, latest_window
from fanpin.registry.models import Household, IncomeRecord

CHUNK = 2000


@dataclass(slots=True)
class _Record:
    year: int
    month: int
    months: int
    wage: Decimal
    business: Decimal
    property_income: Decimal
    transfer: Decimal
    business_cost: Decimal
    claims: Decimal
    out_of_pocket: Decimal


def households_income_refresh(household_ids: list[int]) -> None:
    """For each household: the 12 months ending at its latest record, divided by its current size.
    Only households whose stored values differ are written."""
    for start in range(0, len(household_ids), CHUNK):
        _refresh(household_ids[start : start + CHUNK])


def _refresh(household_ids: list[int]) -> None:
    records: dict[int, list[_Record]] = {}
    for hid, *values in IncomeRecord.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "year", "month", "months", *FIELDS
    ):
        records.setdefault(hid, []).append(_Record(*values))
    current = {
        hid: (size, net, per_capita)
        for hid, size, net, per_capita in Household.objects.filter(pk__in=household_ids).values_list(
            "id", "size", "net_income", "per_capita_income"
        )
    }
    changes = []
    for hid in household_ids:
        if hid not in current:
            continue
        size, old_net, old_per_capita = current[hid]
        window = latest_window(records.get(hid, []))
        if window is None:
            net = per_capita = None
        else:
            net, per_capita = window.net, window.per_capita(size)
        if (net, per_capita) != (old_net, old_per_capita):
            changes.append((net, per_capita, hid))
    if changes:
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {qn(Household._meta.db_table)} SET {qn('net_income')} = %s, "
                f"{qn('per_capita_income')} = %s WHERE {qn('id')} = %s",
                changes,
            )

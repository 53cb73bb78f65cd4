"""家庭纯收入 and 人均纯收入 kept on the household: recomputed from its income records after any change."""

from __future__ import annotations

from fanpin.registry.income import latest_window
from fanpin.registry.models import Household, IncomeRecord

CHUNK = 2000


def households_income_refresh(household_ids: list[int]) -> None:
    """For each household: the 12 months ending at its latest record, divided by its current size."""
    records: dict[int, list[IncomeRecord]] = {}
    for r in IncomeRecord.objects.filter(household_id__in=household_ids):
        records.setdefault(r.household_id, []).append(r)
    sizes = dict(Household.objects.filter(pk__in=household_ids).values_list("id", "size"))
    updates = []
    for hid in household_ids:
        window = latest_window(records.get(hid, []))
        h = Household(pk=hid)
        if window is None:
            h.net_income = h.per_capita_income = None
        else:
            h.net_income, h.per_capita_income = window.net, window.per_capita(sizes.get(hid, 0))
        updates.append(h)
    Household.objects.bulk_update(updates, ["net_income", "per_capita_income"], batch_size=CHUNK)

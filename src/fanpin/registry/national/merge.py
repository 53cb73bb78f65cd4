"""Merge a reviewed national-format batch into the registry in one transaction.

mode "all": only when the batch has no error at all. mode "valid": every household without an error;
a household with any error is left out whole (never half a household). Existing households are
matched by 户编号 and members by 证件号码; what changed is counted and written to each household's
history (audit events).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from fanpin.core.errors import ApplicationError
from fanpin.core.services.audit import AuditBuffer
from fanpin.registry.models import Household, ImportBatch, IncomeRecord, Member
from fanpin.registry.national.parse import read_staging
from fanpin.registry.services.income import households_income_refresh

CHUNK = 2000
INCOME_FIELDS = [
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "claims",
    "out_of_pocket",
]
MEMBER_KEYS = [
    f.name
    for f in Member._meta.get_fields()
    if getattr(f, "concrete", False) and f.name not in {"id", "household"}
]


def _member_value(field: str, value: Any) -> Any:
    if field == "birth_date" and isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


def _household_values(staged: dict) -> dict:
    fields = dict(staged["fields"])
    for key in (
        "house_area",
        "cultivated_area",
        "forest_area",
        "returned_farmland_area",
        "orchard_area",
        "pasture_area",
        "water_surface_area",
        "road_distance",
    ):
        if fields.get(key) is not None:
            fields[key] = Decimal(fields[key])
    village = staged["village"]
    members = staged["members"]
    head = next((m for m in members if m.get("relation") == "户主"), None)
    fields.update(
        village_id=village,
        province_code=village[:2],
        city_code=village[:4],
        county_code=village[:6],
        township_code=village[:9],
        measures_recorded=staged["measures"],
        size=len(members),
        head_name=head.get("name", "") if head else "",
    )
    return fields


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _diff(obj, values: dict) -> dict:
    changed = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if _comparable(old) != _comparable(value) and not (old in (None, "") and value in (None, "")):
            changed[key] = (old, value)
    return changed


def merge_batch(
    *, batch: ImportBatch, mode: str, actor: Any, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    if mode == "all" and batch.error_count:
        raise ApplicationError(
            f"该文件有 {batch.error_count} 处错误，不能全部导入。请改正后重新上传，或选择“只导入无错误的户”。"
        )
    if batch.counts.get("blocking"):
        raise ApplicationError("文件中有不属于任何户的错误行（如户编号为空），请改正后重新上传。")
    staged = [h for h in read_staging(batch.staging_path) if not (h["bad"] and mode == "valid")]
    if mode == "all" and any(h["bad"] for h in staged):
        raise ApplicationError("文件中有错误的户，不能全部导入。")
    total = len(staged)
    summary = {
        "households_created": 0,
        "households_updated": 0,
        "households_unchanged": 0,
        "members_added": 0,
        "members_updated": 0,
        "members_removed": 0,
        "households_skipped": 0,
    }
    summary["households_skipped"] = batch.counts.get("households", 0) - total
    audit = AuditBuffer(actor)

    with transaction.atomic():
        for start in range(0, total, CHUNK):
            chunk = staged[start : start + CHUNK]
            codes = [h["code"] for h in chunk]
            existing = {h.code: h for h in Household.objects.filter(code__in=codes)}
            creates, updates, update_fields = [], [], set()
            for item in chunk:
                values = _household_values(item)
                current = existing.get(item["code"])
                if current is None:
                    household = Household(code=item["code"], extra={}, **values)
                    creates.append(household)
                    audit.add(
                        action="household.import_create",
                        object_type="registry.household",
                        object_repr=f"{values['head_name']}户（{item['code']}）",
                        subject=item["code"],
                        area_code=values["village_id"],
                        note=f"导入 {batch.file_name} 第 {item['row']} 行",
                    )
                else:
                    changed = _diff(current, values)
                    if changed:
                        for key, (_old, new) in changed.items():
                            setattr(current, key, new)
                        current.version += 1
                        updates.append(current)
                        update_fields.update(changed)
                        audit.add(
                            action="household.import_update",
                            object_type="registry.household",
                            object_id=str(current.pk),
                            object_repr=f"{values['head_name']}户（{item['code']}）",
                            subject=item["code"],
                            area_code=values["village_id"],
                            changed=changed,
                            note=f"导入 {batch.file_name} 第 {item['row']} 行",
                        )
                    else:
                        summary["households_unchanged"] += 1
            Household.objects.bulk_create(creates, batch_size=CHUNK)
            if updates:
                Household.objects.bulk_update(updates, sorted(update_fields | {"version"}), batch_size=CHUNK)
            summary["households_created"] += len(creates)
            summary["households_updated"] += len(updates)
            ids = dict(Household.objects.filter(code__in=codes).values_list("code", "id"))
            _merge_members(chunk, ids, summary, audit)
            _merge_incomes(chunk, ids, batch.year)
            if on_progress:
                on_progress(min(start + CHUNK, total), total)
        audit.flush()
    return summary


def _merge_members(chunk, ids, summary, audit) -> None:
    household_ids = [ids[h["code"]] for h in chunk]
    current: dict[int, dict[str, Member]] = {}
    for m in Member.objects.filter(household_id__in=household_ids):
        current.setdefault(m.household_id, {})[m.id_number] = m
    creates, updates, fields, removes = [], [], set(), []
    for item in chunk:
        hid = ids[item["code"]]
        mine = current.get(hid, {})
        seen = set()
        for staged in item["members"]:
            values = {k: _member_value(k, staged.get(k)) for k in MEMBER_KEYS if k in staged}
            values["extra"] = staged.get("extra", {})
            number = values["id_number"]
            seen.add(number)
            member = mine.get(number)
            if member is None:
                creates.append(Member(household_id=hid, **values))
                if mine:  # a member added to a household already on file (增员): into its history
                    audit.add(
                        action="member.import_add",
                        object_type="registry.member",
                        object_repr=f"{item['code']} {values.get('name', '')}",
                        subject=item["code"],
                        area_code=item["village"],
                        note=f"导入第 {staged.get('row')} 行",
                    )
            else:
                changed = _diff(member, values)
                if changed:
                    for key, (_old, new) in changed.items():
                        setattr(member, key, new)
                    updates.append(member)
                    fields.update(changed)
                    audit.add(
                        action="member.import_update",
                        object_type="registry.member",
                        object_id=str(member.pk),
                        object_repr=f"{item['code']} {member.name}",
                        subject=item["code"],
                        area_code=item["village"],
                        changed=changed,
                        note=f"导入第 {staged.get('row')} 行",
                    )
        for number, member in mine.items():
            if number not in seen:
                removes.append(member.pk)
                audit.add(
                    action="member.import_remove",
                    object_type="registry.member",
                    object_repr=f"{item['code']} {member.name}",
                    subject=item["code"],
                    area_code=item["village"],
                    note="重新导入的文件中没有此成员（减员）",
                )
    Member.objects.bulk_create(creates, batch_size=CHUNK)
    if updates:
        Member.objects.bulk_update(updates, sorted(fields), batch_size=CHUNK)
    if removes:
        Member.objects.filter(pk__in=removes).delete()
    summary["members_added"] += len(creates)
    summary["members_updated"] += len(updates)
    summary["members_removed"] += len(removes)


def _merge_incomes(chunk, ids, year: int | None) -> None:
    """The file's income columns are the household's totals for `year`: one annual record each."""
    household_ids = [ids[h["code"]] for h in chunk]
    if year:
        with_income = {
            ids[h["code"]]: h["income"] for h in chunk if any(v is not None for v in h["income"].values())
        }
        IncomeRecord.objects.filter(
            household_id__in=list(with_income), year=year, month=1, months=12
        ).delete()
        IncomeRecord.objects.bulk_create(
            [
                IncomeRecord(
                    household_id=hid,
                    year=year,
                    month=1,
                    months=12,
                    **{f: Decimal(income.get(f) or 0) for f in INCOME_FIELDS},
                )
                for hid, income in with_income.items()
            ],
            batch_size=CHUNK,
        )
    households_income_refresh(household_ids)

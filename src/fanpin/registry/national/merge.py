"""Merge a reviewed national-format batch into the registry in one transaction.

mode "all": only when the batch has no error at all. mode "valid": every household without an error;
a household with any error is left out whole (never half a household). Existing households are
matched by 户编号 and members by 证件号码; what changed is counted and written to each household's
history (audit events).

New households (all of them, on a first import) are written through the raw bulk path
(fanpin.core.bulk: SQLite executemany, PostgreSQL COPY) with ids reserved up front, their members and
annual income records with them, and 家庭纯收入/人均纯收入 computed from the staged amounts. Households
already on file are compared field by field through the ORM, as before.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fanpin.core.bulk import defaults, insert_rows, sqlite_cache
from fanpin.core.errors import ApplicationError
from fanpin.core.fields import RowSealer
from fanpin.core.services.audit import AuditBuffer
from fanpin.registry.income import CENT
from fanpin.registry.models import Household, ImportBatch, IncomeRecord, Member
from fanpin.registry.national.parse import ABSENT, read_staging, select_in
from fanpin.registry.services.income import households_income_refresh

INCOME_FIELDS = [
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "claims",
    "out_of_pocket",
]
AREA_FIELDS = {
    "house_area",
    "cultivated_area",
    "forest_area",
    "returned_farmland_area",
    "orchard_area",
    "pasture_area",
    "water_surface_area",
    "road_distance",
}
MEMBER_KEYS = [
    f.name
    for f in Member._meta.get_fields()
    if getattr(f, "concrete", False) and f.name not in {"id", "household"}
]
ZERO = Decimal(0)


def annual_income(income: dict[str, Any], size: int) -> tuple[Decimal, Decimal | None]:
    """家庭纯收入 and 人均纯收入 of a household whose only income record is one annual record with these
    amounts: what latest_window gives for it (its 12 twelfths add up to the amounts themselves)."""
    get = income.get
    net = (
        Decimal(get("wage") or 0)
        + Decimal(get("business") or 0)
        + Decimal(get("property_income") or 0)
        + Decimal(get("transfer") or 0)
        - Decimal(get("business_cost") or 0)
    ).quantize(CENT, ROUND_HALF_UP)
    per_capita = (net / Decimal(size)).quantize(CENT, ROUND_HALF_UP) if size > 0 else None
    return net, per_capita


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
    header, chunks = read_staging(batch.staging_path)
    if mode == "all" and header["bad"]:
        raise ApplicationError("文件中有错误的户，不能全部导入。")
    total = header["households"]
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
    qn = connection.ops.quote_name
    find = f"SELECT {qn('code')}, {qn('id')} FROM {qn(Household._meta.db_table)} WHERE {qn('code')} IN %s"
    done = 0
    with sqlite_cache(256), transaction.atomic():
        creator = _Creator(batch, header, audit)
        for chunk in chunks:
            ids = dict(select_in(find, [h[0] for h in chunk]))
            new = [h for h in chunk if h[0] not in ids]
            if new:
                creator.write(new)
                summary["households_created"] += len(new)
                summary["members_added"] += sum(len(h[6]) for h in new)
            if len(new) < len(chunk):
                _merge_existing([h for h in chunk if h[0] in ids], ids, header, batch, summary, audit)
            audit.flush()
            done += len(chunk)
            if on_progress:
                on_progress(min(done, total), total)
        audit.flush()
    return summary


# ---- New households: raw bulk inserts --------------------------------------------------------------


class _Creator:
    def __init__(self, batch: ImportBatch, header: dict, audit: AuditBuffer):
        self.batch = batch
        self.year = batch.year
        self.audit = audit
        self.next_id: int | None = None
        self.note = f"导入 {batch.file_name} 第 %d 行"
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        hfields = header["household_fields"]
        self.income_fields = header["income_fields"]
        member_fields = header["member_fields"]
        self.relation_k = member_fields.index("relation")
        self.name_k = member_fields.index("name")

        # Household rows: itemgetter over (fixed values…, staged household values…, defaults…).
        fixed = [
            "id", "code", "village_id", "province_code", "city_code", "county_code", "township_code",
            "size", "head_name", "measures_recorded", "net_income", "per_capita_income",
            "created_at", "updated_at",
        ]  # fmt: skip
        field_of = {f.name: f for f in Household._meta.concrete_fields}
        staged = {field_of[name].column: len(fixed) + k for k, name in enumerate(hfields)}
        rest = defaults(Household, skip=[*fixed, *hfields])
        self.household_tail = (now, now)
        self.household_defaults = tuple(rest.values())
        base = len(fixed) + len(hfields)
        position = staged | {c: i for i, c in enumerate(fixed)}
        position |= {c: base + i for i, c in enumerate(rest)}
        self.household_columns = [f.column for f in Household._meta.concrete_fields]
        self.household_row = operator.itemgetter(*(position[c] for c in self.household_columns))

        # Member rows: (household_id, id_type, id_number, birth_date, sex, extra, staged…, defaults…).
        fixed = ["household_id", "id_type", "id_number", "birth_date", "sex", "extra"]
        field_of = {f.name: f for f in Member._meta.concrete_fields}
        staged = {field_of[name].column: len(fixed) + k for k, name in enumerate(member_fields)}
        rest = defaults(Member, skip=[*fixed, "household", *member_fields])
        self.member_defaults = tuple(rest.values())
        base = len(fixed) + len(member_fields)
        position = staged | {c: i for i, c in enumerate(fixed)}
        position |= {c: base + i for i, c in enumerate(rest)}
        self.member_columns = [f.column for f in Member._meta.concrete_fields if not f.primary_key]
        self.member_row = operator.itemgetter(*(position[c] for c in self.member_columns))
        # ID numbers and phones are encrypted, blind index and masked copy filled (core/fields.py).
        self.household_sealer = RowSealer(Household, self.household_columns)
        self.member_sealer = RowSealer(Member, self.member_columns)
        self.income_columns = ["household_id", "year", "month", "months", *INCOME_FIELDS]

    def _ids(self, n: int) -> list[int]:
        """n new household ids (the transaction holds SQLite's write lock; PostgreSQL's sequence)."""
        table = Household._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [r[0] for r in cur.fetchall()]
            if self.next_id is None:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
                highest = cur.fetchone()[0]
                if connection.vendor == "sqlite":
                    cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cur.fetchone()
                    highest = max(highest, row[0] if row else 0)
                self.next_id = highest + 1
        first = self.next_id
        self.next_id += n
        return list(range(first, first + n))

    def write(self, items: list[tuple]) -> None:
        households, members, incomes = [], [], []
        year, income_fields = self.year, self.income_fields
        relation_k, name_k = self.relation_k, self.name_k
        household_row, member_row = self.household_row, self.member_row
        household_tail, household_defaults = self.household_tail, self.household_defaults
        member_defaults = self.member_defaults
        add_event = self.audit.add
        note = self.note
        for hid, (code, row, village, values, income, measures, staged_members) in zip(
            self._ids(len(items)), items, strict=True
        ):
            size = len(staged_members)
            head_name = next((m[2][name_k] for m in staged_members if m[2][relation_k] == "户主"), "")
            net = per_capita = None
            if year and any(v is not None for v in income):
                amounts = dict(zip(income_fields, income, strict=True))
                net, per_capita = annual_income(amounts, size)
                incomes.append((hid, year, 1, 12, *[amounts.get(f) or "0" for f in INCOME_FIELDS]))
                net, per_capita = str(net), None if per_capita is None else str(per_capita)
            households.append(
                household_row(
                    (
                        hid,
                        code,
                        village,
                        village[:2],
                        village[:4],
                        village[:6],
                        village[:9],
                        size,
                        head_name,
                        json.dumps(measures) if measures else "{}",
                        net,
                        per_capita,
                        *household_tail,
                        *values,
                        *household_defaults,
                    )
                )  # fmt: skip
            )
            for _row, extra, mv, id_type, id_number, birth, sex in staged_members:
                members.append(
                    member_row(
                        (
                            hid,
                            id_type,
                            id_number,
                            None if birth is ABSENT else birth,
                            "" if sex is ABSENT else sex,
                            json.dumps(extra) if extra else "{}",
                            *mv,
                            *member_defaults,
                        )
                    )  # fmt: skip
                )
            add_event(
                action="household.import_create",
                object_type="registry.household",
                object_repr=f"{head_name}户（{code}）",
                subject=code,
                area_code=village,
                note=note % row,
            )
        insert_rows(Household, self.household_sealer.out_columns, self.household_sealer.rows(households))
        insert_rows(Member, self.member_sealer.out_columns, self.member_sealer.rows(members))
        if incomes:
            insert_rows(IncomeRecord, self.income_columns, incomes)


# ---- Households already on file: compared through the ORM ---------------------------------------------


def _household_values(item: tuple, header: dict) -> dict:
    code, _row, village, values, _income, measures, members = item
    fields = dict(zip(header["household_fields"], values, strict=True))
    for key in AREA_FIELDS & fields.keys():
        if fields[key] is not None:
            fields[key] = Decimal(fields[key])
    relation_k = header["member_fields"].index("relation")
    name_k = header["member_fields"].index("name")
    head = next((m for m in members if m[2][relation_k] == "户主"), None)
    fields.update(
        village_id=village,
        province_code=village[:2],
        city_code=village[:4],
        county_code=village[:6],
        township_code=village[:9],
        measures_recorded=measures,
        size=len(members),
        head_name=head[2][name_k] if head else "",
    )
    return fields


def _member_values(staged: tuple, member_fields: list[str]) -> dict:
    _row, extra, mv, id_type, id_number, birth, sex = staged
    values = {k: v for k, v in zip(member_fields, mv, strict=True) if k in MEMBER_KEYS}
    values["id_type"], values["id_number"] = id_type, id_number
    if birth is not ABSENT:
        values["birth_date"] = birth
    else:
        values.pop("birth_date", None)
    if sex is not ABSENT:
        values["sex"] = sex
    else:
        values.pop("sex", None)
    if values.get("birth_date"):
        values["birth_date"] = date.fromisoformat(values["birth_date"])
    values["extra"] = extra
    return values


def _merge_existing(items, ids, header, batch, summary, audit) -> None:
    existing = {h.code: h for h in Household.objects.filter(code__in=[h[0] for h in items])}
    updates, update_fields = [], set()
    for item in items:
        code, row = item[0], item[1]
        values = _household_values(item, header)
        current = existing[code]
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
                object_repr=f"{values['head_name']}户（{code}）",
                subject=code,
                area_code=values["village_id"],
                changed=changed,
                note=f"导入 {batch.file_name} 第 {row} 行",
            )
        else:
            summary["households_unchanged"] += 1
    if updates:
        Household.objects.bulk_update(updates, sorted(update_fields | {"version"}), batch_size=2000)
    summary["households_updated"] += len(updates)
    _merge_members(items, ids, header, summary, audit)
    _merge_incomes(items, ids, header, batch.year)


def _merge_members(items, ids, header, summary, audit) -> None:
    member_fields = header["member_fields"]
    household_ids = [ids[h[0]] for h in items]
    current: dict[int, dict[str, Member]] = {}
    for m in Member.objects.filter(household_id__in=household_ids):
        current.setdefault(m.household_id, {})[m.id_number] = m
    creates, updates, fields, removes = [], [], set(), []
    for item in items:
        code, village = item[0], item[2]
        hid = ids[code]
        mine = current.get(hid, {})
        seen = set()
        for staged in item[6]:
            values = _member_values(staged, member_fields)
            number = values["id_number"]
            seen.add(number)
            member = mine.get(number)
            if member is None:
                creates.append(Member(household_id=hid, **values))
                if mine:  # a member added to a household already on file (增员): into its history
                    audit.add(
                        action="member.import_add",
                        object_type="registry.member",
                        object_repr=f"{code} {values.get('name', '')}",
                        subject=code,
                        area_code=village,
                        note=f"导入第 {staged[0]} 行",
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
                        object_repr=f"{code} {member.name}",
                        subject=code,
                        area_code=village,
                        changed=changed,
                        note=f"导入第 {staged[0]} 行",
                    )
        for number, member in mine.items():
            if number not in seen:
                removes.append(member.pk)
                audit.add(
                    action="member.import_remove",
                    object_type="registry.member",
                    object_repr=f"{code} {member.name}",
                    subject=code,
                    area_code=village,
                    note="重新导入的文件中没有此成员（减员）",
                )
    Member.objects.bulk_create(creates, batch_size=2000)
    if updates:
        Member.objects.bulk_update(updates, sorted(fields), batch_size=2000)
    if removes:
        Member.objects.filter(pk__in=removes).delete()
    summary["members_added"] += len(creates)
    summary["members_updated"] += len(updates)
    summary["members_removed"] += len(removes)


def _merge_incomes(items, ids, header, year: int | None) -> None:
    """The file's income columns are the household's totals for `year`: one annual record each
    (replaced where its amounts differ, left as it is where they are the same)."""
    household_ids = [ids[h[0]] for h in items]
    if year:
        income_fields = header["income_fields"]
        with_income = {
            ids[h[0]]: dict(zip(income_fields, h[4], strict=True))
            for h in items
            if any(v is not None for v in h[4])
        }
        existing = {
            hid: (pk, tuple(amounts))
            for hid, pk, *amounts in IncomeRecord.objects.filter(
                household_id__in=list(with_income), year=year, month=1, months=12
            ).values_list("household_id", "id", *INCOME_FIELDS)
        }
        replace, stale = [], []
        for hid, income in with_income.items():
            amounts = tuple(Decimal(income.get(f) or 0) for f in INCOME_FIELDS)
            found = existing.get(hid)
            if found is not None and found[1] == amounts:
                continue
            if found is not None:
                stale.append(found[0])
            replace.append((hid, year, 1, 12, *(str(a) for a in amounts)))
        if stale:
            IncomeRecord.objects.filter(pk__in=stale).delete()
        if replace:
            insert_rows(IncomeRecord, ["household_id", "year", "month", "months", *INCOME_FIELDS], replace)
    households_income_refresh(household_ids)

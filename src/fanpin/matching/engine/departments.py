"""Department data (部门数据): records matched to members by normalised ID number, and each source's
rules, as Ibis expressions (no Django; DuckDB or Spark).

Inputs (amounts in cents):
  records:    record_id, id_number, year, month, amount, total_cost, category, status — the generic
              columns each source's file fills (fanpin.monitoring.departments.formats)
  members:    member_id, household_id, id_number, birth_date
  households: household_id, household_type
  excluded:   household_id — households with an open lead, already monitored, or with a lead of the
              same month and source (never duplicated)
Output of `department_rows`: one row per (household, kind, detail, year) that raises a lead, with the
figures a person needs to check it; Chinese reasons are composed outside the engine.
"""

from __future__ import annotations

from datetime import date

import ibis
from ibis import _

from fanpin.matching.engine.rules import RuleParams, _age_at, _i64, _month_end

SOURCES = ("medical", "civil", "education", "housing", "disability", "employment", "disaster", "other")
RISKS = {
    "medical": "因病",
    "civil": "其他",
    "education": "义务教育阶段适龄儿童少年失学辍学",
    "housing": "住房出现安全问题",
    "disability": "因残",
    "employment": "因务工就业不稳",
    "disaster": "因自然灾害",
    "other": "其他",
}
OUTPUT = (
    "household_id",
    "source",
    "kind",
    "detail",
    "year",
    "n_people",
    "amount",
    "total_cost",
    "over_share",
    "over_fixed",
    "risk",
)


def id_key(column):
    """The normalised ID number: no spaces (ASCII or full-width), upper-case X."""
    return column.replace(" ", "").replace("\u3000", "").upper()


def match_records(records: ibis.Table, members: ibis.Table) -> ibis.Table:
    """Every record with the member (lowest id if an ID number were ever held twice) and household it
    matches by normalised ID number; member_id and household_id are null for people not in the registry."""
    keyed = members.mutate(key=id_key(members.id_number))
    first = keyed.group_by("key").aggregate(member_id=_.member_id.min())
    people = first.join(keyed.select("member_id", "household_id", "birth_date"), "member_id")
    r = records.mutate(key=id_key(records.id_number))
    return r.left_join(people, r.key == people.key).select(
        *records.columns, "member_id", "household_id", "birth_date"
    )


def _flagged(source: str, matched: ibis.Table, *, year: int, month_end: date) -> ibis.Table:
    """The matched records that count for the source's rule, with kind and detail."""
    m = matched.filter(matched.household_id.notnull())
    none = ibis.literal("")
    if source == "medical":
        return m.mutate(kind=ibis.literal("合规自付"), detail=none, year=m.year.fill_null(year))
    m = m.mutate(year=ibis.literal(year, type="int64"))
    if source == "civil":
        support = m.category.isin(["低保", "特困"])
        kind = ibis.cases(
            (support & (m.status == "新增"), "新增" + m.category),
            (support & (m.status == "停发"), m.category + "停发"),
            (m.category == "临时救助", ibis.literal("临时救助")),
            else_=ibis.null("string"),
        )
        return m.mutate(kind=kind, detail=none).filter(_.kind.notnull())
    if source == "education":
        age = _age_at(m.birth_date, month_end)
        out = (m.status == "未在校") & (age >= 6) & (age <= 16)
        return m.filter(out.fill_null(False)).mutate(kind=ibis.literal("义务教育阶段未在校"), detail=none)
    if source == "housing":
        return m.filter(m.category.isin(["C", "D"])).mutate(kind=ibis.literal("危房"), detail=m.category)
    if source == "disability":
        kind = ibis.ifelse(m.status == "新办", "新办残疾证", "残疾等级升级")
        return m.filter(m.status.isin(["新办", "升级"])).mutate(kind=kind, detail=m.category)
    if source == "employment":
        return m.filter(m.status.isin(["失业", "停止务工"])).mutate(kind=m.status, detail=none)
    if source == "disaster":
        return m.filter(m.amount.fill_null(0) > 0).mutate(kind=ibis.literal("受灾"), detail=m.category)
    if source == "other":
        return m.mutate(kind=ibis.literal("部门提示"), detail=m.category.fill_null(""))
    raise ValueError(f"unknown department source {source!r}")


def department_rows(
    source: str,
    matched: ibis.Table,
    households: ibis.Table,
    *,
    params: RuleParams,
    year: int,
    month: int,
) -> ibis.Table:
    """The rows of `source` that raise a lead: one per (household, kind, detail, year)."""
    flagged = _flagged(source, matched, year=year, month_end=_month_end(year, month))
    grouped = flagged.group_by("household_id", "kind", "detail", "year").aggregate(
        n_people=_.member_id.nunique().cast("int64"),
        amount=_.amount.fill_null(0).sum().cast("int64"),
        total_cost=_.total_cost.fill_null(0).sum().cast("int64"),
    )
    if source == "medical":
        h = grouped.join(households.select("household_id", "household_type"), "household_id", how="left")
        poor = h.household_type == "脱贫户"
        limit = ibis.ifelse(
            poor,
            _i64(params.oop_share_formerly_poor_bp * params.rural_income),
            _i64(params.oop_share_others_bp * params.rural_income),
        ).cast("int64")
        fixed = ibis.ifelse(poor, _i64(params.oop_fixed_low_income), _i64(params.oop_fixed_ordinary)).cast(
            "int64"
        )
        grouped = h.mutate(
            over_share=((h.amount * _i64(10_000) > limit) & (h.amount > 0)).fill_null(False),
            over_fixed=((h.amount > fixed) & (h.amount > 0)).fill_null(False),
        ).filter(_.over_share | _.over_fixed)
    else:
        grouped = grouped.mutate(over_share=ibis.literal(False), over_fixed=ibis.literal(False))
    return grouped.mutate(
        source=ibis.literal(source), risk=ibis.literal(RISKS[source]), year=_.year.cast("int64")
    ).select(*OUTPUT)


def department_candidates(rows: ibis.Table, excluded: ibis.Table) -> ibis.Table:
    """The rows of households that are not excluded (open lead, monitored, same month and source)."""
    return rows.anti_join(excluded, "household_id").order_by("household_id", "kind", "detail", "year")

"""Department data (部门数据): records matched to members by a join key, and each source's rules, as
Ibis expressions (no Django; DuckDB or Spark).

Inputs (amounts in cents):
  records:    row, id_key, name, year, month, period, amount, total_cost, category, status —
              the generic columns each source's file fills (fanpin.monitoring.departments.formats);
              period = year × 12 + month − 1 of the record (its settlement month, else the batch's)
  members:    member_id, household_id, id_key, birth_date, household_type — the WHOLE registry: a
              person registered in another county than the one that loaded the file is still found
  history:    (medical) the records of every medical batch that may fall in the policy's window
  excluded:   household_id — households with an open lead, already monitored, or with a lead of the
              same month and source (never duplicated)
id_key is whatever fanpin.monitoring.departments.identity makes of an ID number (today the normalised
number, with field encryption its blind index): the engine only compares it.
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
    "household_type",
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
PERSON = ("member_id", "household_id", "birth_date", "household_type")


def match_records(records: ibis.Table, members: ibis.Table) -> ibis.Table:
    """Every record with the member (lowest id if a key were ever held twice) and household it matches
    by id_key; member_id and household_id are null for people not in the registry."""
    first = members.group_by("id_key").aggregate(member_id=_.member_id.min())
    people = first.rename(_k="id_key").join(members.select(*PERSON), "member_id")
    return records.left_join(people, records.id_key == people._k).select(*records.columns, *PERSON)


def unmatched_people(matched: ibis.Table) -> ibis.Table:
    """The people of a batch not in the registry (a possible new household): one row each, with the
    row where they first appear and how many rows they have."""
    u = matched.filter(matched.household_id.isnull())
    return u.group_by("id_key").aggregate(
        row=_.row.min(),
        rows=_.count().cast("int64"),
        name=_.name.argmin(_.row),
    )


def window_periods(year: int, month: int, months: int) -> tuple[int, int]:
    """The first and last period (year × 12 + month − 1) of the `months` months ending with (year, month)."""
    end = year * 12 + month - 1
    return end - months + 1, end


def period_label(period: int) -> str:
    return f"{period // 12}-{period % 12 + 1:02d}"


def _flagged(source: str, matched: ibis.Table, *, year: int, month_end: date) -> ibis.Table:
    """The matched records that count for the source's rule, with kind and detail."""
    m = matched.filter(matched.household_id.notnull())
    none = ibis.literal("")
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
    members: ibis.Table,
    *,
    params: RuleParams,
    year: int,
    month: int,
    history: ibis.Table | None = None,
) -> ibis.Table:
    """The rows of `source` that raise a lead: one per (household, kind, detail, year).

    Medical: out-of-pocket spending summed per household over the policy's window (params.oop_months
    months ending with the batch's month), across every medical batch in `history` (by default only
    this batch), for the households that appear in this batch."""
    if source == "medical":
        return _medical_rows(matched, members, params=params, year=year, month=month, history=history)
    flagged = _flagged(source, matched, year=year, month_end=_month_end(year, month))
    grouped = flagged.group_by("household_id", "household_type", "kind", "detail", "year").aggregate(
        n_people=_.member_id.nunique().cast("int64"),
        amount=_.amount.fill_null(0).sum().cast("int64"),
        total_cost=_.total_cost.fill_null(0).sum().cast("int64"),
    )
    grouped = grouped.mutate(over_share=ibis.literal(False), over_fixed=ibis.literal(False))
    return grouped.mutate(
        source=ibis.literal(source), risk=ibis.literal(RISKS[source]), year=_.year.cast("int64")
    ).select(*OUTPUT)


def _medical_rows(matched, members, *, params: RuleParams, year: int, month: int, history) -> ibis.Table:
    first, last = window_periods(year, month, params.oop_months)
    spent = history if history is not None else matched.select("id_key", "period", "amount", "total_cost")
    spent = spent.filter(spent.period.between(first, last))
    # Sum per person first (one row per ID), then find the person: the join is as wide as the people.
    per_person = spent.group_by("id_key").aggregate(
        amount=_.amount.fill_null(0).sum(), total_cost=_.total_cost.fill_null(0).sum()
    )
    found = match_records(per_person, members).filter(_.household_id.notnull())
    here = matched.filter(matched.household_id.notnull()).select("household_id").distinct()
    grouped = (
        found.group_by("household_id", "household_type")
        .aggregate(
            n_people=_.member_id.nunique().cast("int64"),
            amount=_.amount.sum().cast("int64"),
            total_cost=_.total_cost.sum().cast("int64"),
        )
        .semi_join(here, "household_id")
    )
    poor = grouped.household_type == "脱贫户"
    limit = ibis.ifelse(
        poor,
        _i64(params.oop_share_formerly_poor_bp * params.rural_income),
        _i64(params.oop_share_others_bp * params.rural_income),
    ).cast("int64")
    fixed = ibis.ifelse(poor, _i64(params.oop_fixed_low_income), _i64(params.oop_fixed_ordinary)).cast(
        "int64"
    )
    out = grouped.mutate(
        over_share=((grouped.amount * _i64(10_000) > limit) & (grouped.amount > 0)).fill_null(False),
        over_fixed=((grouped.amount > fixed) & (grouped.amount > 0)).fill_null(False),
    ).filter(_.over_share | _.over_fixed)
    return out.mutate(
        source=ibis.literal("medical"),
        kind=ibis.literal("合规自付"),
        detail=ibis.literal(f"{period_label(first)} 至 {period_label(last)}"),
        year=ibis.literal(year, type="int64"),
        risk=ibis.literal(RISKS["medical"]),
    ).select(*OUTPUT)


def department_candidates(rows: ibis.Table, excluded: ibis.Table) -> ibis.Table:
    """The rows of households that are not excluded (open lead, monitored, same month and source)."""
    return rows.anti_join(excluded, "household_id").order_by("household_id", "kind", "detail", "year")

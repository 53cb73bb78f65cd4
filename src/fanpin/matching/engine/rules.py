"""Monthly monitoring rules (防返贫监测): which households should be looked at, and why.

Inputs (Ibis tables; amounts in cents):
  households: household_id, household_type, size, whole_no_labour, house_grade, house_dangerous,
              water_secured, water_quantity_ok, water_quality_ok, water_convenience_ok,
              water_reliability_ok, dropout, member_uninsured
  members:    household_id, birth_date, health, labour_skill, resident_medical, employee_medical,
              school_status, not_in_school_reason
  incomes:    see fanpin.matching.engine.income
  excluded:   household_id — households already monitored or with an open lead (never duplicated)
Output: one row per household that trips at least one trigger, with the figures and flags a person
needs to check it. Chinese reasons are composed from these figures outside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
from ibis import _

from fanpin.matching.engine.income import per_capita, window_income

LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
TRIGGERS = (
    "t_income_below",
    "t_income_drop",
    "t_out_of_pocket",
    "t_house",
    "t_water",
    "t_dropout",
    "t_uninsured",
)
RISK_FLAGS = (
    "r_illness",
    "r_disability",
    "r_no_labour",
    "r_house",
    "r_water",
    "r_dropout",
    "r_uninsured",
    "r_wage_drop",
)


@dataclass(frozen=True)
class RuleParams:
    """Everything policy-like, from the policy settings (never constants in code)."""

    threshold: int  # 监测范围, cents per person per year
    income_drop_bp: int  # a fall of this many basis points of last year's per-capita income is sharp
    oop_share_formerly_poor_bp: int  # out-of-pocket over this share of the rural income, 脱贫户
    oop_share_others_bp: int
    rural_income: int  # prior year's rural per-capita disposable income, cents
    oop_fixed_low_income: int  # fixed out-of-pocket triggers, cents
    oop_fixed_ordinary: int
    oop_months: int = 12  # department medical data: out-of-pocket summed over the last N months


def _age_at(birth, when: date):
    before_birthday = (birth.month() > when.month) | (
        (birth.month() == when.month) & (birth.day() > when.day)
    )
    return when.year - birth.year() - ibis.ifelse(before_birthday, 1, 0)


def member_facts(members: ibis.Table, *, month_end: date) -> ibis.Table:
    age = _age_at(members.birth_date, month_end)
    compulsory_age = (age >= 6) & (age <= 16)
    out_of_school = (
        compulsory_age
        & (members.school_status.fill_null("") == "")
        & (members.not_in_school_reason.fill_null("") == "")
    )
    m = members.mutate(
        serious=(members.health == "患大病").cast("int64"),
        disabled=(members.health == "残疾").cast("int64"),
        labour=members.labour_skill.isin(LABOUR).cast("int64"),
        uninsured=(~(members.resident_medical | members.employee_medical)).cast("int64"),
        out_of_school=out_of_school.fill_null(False).cast("int64"),
    )
    return m.group_by("household_id").aggregate(
        n_serious=_.serious.sum(),
        n_disabled=_.disabled.sum(),
        n_labour=_.labour.sum(),
        n_uninsured=_.uninsured.sum(),
        n_out_of_school=_.out_of_school.sum(),
    )


def household_facts(
    *,
    households: ibis.Table,
    members: ibis.Table,
    incomes: ibis.Table,
    params: RuleParams,
    end_year: int,
    end_month: int,
) -> ibis.Table:
    """Every household with its 12-month figures, the triggers it trips and its risk flags."""
    month_end = _month_end(end_year, end_month)
    now = window_income(incomes, end_year=end_year, end_month=end_month)
    prior = window_income(incomes, end_year=end_year - 1, end_month=end_month)
    facts = member_facts(members, month_end=month_end)

    h = _attach(households, now.select("household_id", "net", "wage", "out_of_pocket", "months_covered"))
    h = _attach(
        h,
        prior.select(
            "household_id", prior_net=prior.net, prior_wage=prior.wage, prior_months=prior.months_covered
        ),
    )
    h = _attach(h, facts)
    h = h.mutate(
        per_capita=per_capita(h.net, h.size),
        prior_per_capita=per_capita(h.prior_net, h.size),
    )
    # Out-of-pocket limit as a share of the rural income, in cents × 10,000 (computed here, in Python,
    # so no engine folds two 32-bit constants into an overflow).
    oop_limit = ibis.ifelse(
        h.household_type == "脱贫户",
        _i64(params.oop_share_formerly_poor_bp * params.rural_income),
        _i64(params.oop_share_others_bp * params.rural_income),
    ).cast("int64")
    oop_fixed = ibis.ifelse(
        h.household_type == "脱贫户", _i64(params.oop_fixed_low_income), _i64(params.oop_fixed_ordinary)
    ).cast("int64")
    oop = h.out_of_pocket.fill_null(0)
    water_flags = [
        h.water_secured,
        h.water_quantity_ok,
        h.water_quality_ok,
        h.water_convenience_ok,
        h.water_reliability_ok,
    ]
    water_bad = ibis.literal(False)
    for flag in water_flags:
        water_bad = water_bad | (flag == False)  # noqa: E712 — null (not recorded) is not a problem
    h = h.mutate(
        # Income is judged only over a full year of records; a partial year is reported, not flagged.
        t_income_below=((h.months_covered >= 12) & (h.per_capita < _i64(params.threshold))).fill_null(False),
        t_income_drop=(
            (h.months_covered >= 12)
            & (h.prior_months >= 12)
            & (h.prior_per_capita > 0)
            & (h.per_capita * _i64(10_000) < h.prior_per_capita * _i64(10_000 - params.income_drop_bp))
        ).fill_null(False),
        t_out_of_pocket=((oop * _i64(10_000) > oop_limit) | (oop > oop_fixed)) & (oop > 0),
        t_house=(h.house_grade.isin(["C", "D"]) | (h.house_dangerous == True)).fill_null(False),  # noqa: E712
        t_water=water_bad.fill_null(False),
        t_dropout=(h.dropout | (h.n_out_of_school.fill_null(0) > 0)).fill_null(False),
        t_uninsured=((h.member_uninsured == True) | (h.n_uninsured.fill_null(0) > 0)).fill_null(False),  # noqa: E712
    )
    h = h.mutate(
        r_illness=(h.n_serious.fill_null(0) > 0) | h.t_out_of_pocket,
        r_disability=h.n_disabled.fill_null(0) > 0,
        r_no_labour=(h.n_labour.fill_null(0) == 0) & (h.size > 0),
        r_house=h.t_house,
        r_water=h.t_water,
        r_dropout=h.t_dropout,
        r_uninsured=h.t_uninsured,
        r_wage_drop=h.t_income_drop & (h.wage.fill_null(0) * 2 < h.prior_wage.fill_null(0)),
    )
    any_trigger = ibis.literal(False)
    for t in TRIGGERS:
        any_trigger = any_trigger | h[t]
    return h.select(
        "household_id",
        "household_type",
        "size",
        "whole_no_labour",
        net=h.net,
        per_capita=h.per_capita,
        prior_per_capita=h.prior_per_capita,
        out_of_pocket=oop,
        months_covered=h.months_covered.fill_null(0),
        any_trigger=any_trigger,
        **{t: h[t] for t in TRIGGERS},
        **{r: h[r].fill_null(False) for r in RISK_FLAGS},
    )


def monitoring_candidates(facts: ibis.Table, excluded: ibis.Table) -> ibis.Table:
    """Households that trip a trigger and are not already monitored or under an open lead."""
    return facts.filter(facts.any_trigger).anti_join(excluded, "household_id").order_by("household_id")


def _i64(value: int):
    """An int64 literal: amounts in cents times basis points overflow 32 bits."""
    return ibis.literal(value, type="int64")


def _attach(left: ibis.Table, right: ibis.Table) -> ibis.Table:
    """left LEFT JOIN right ON household_id, keeping one household_id column."""
    right = right.rename(_rhs_id="household_id")
    return left.left_join(right, left.household_id == right._rhs_id).drop("_rhs_id")


def _month_end(year: int, month: int) -> date:
    from calendar import monthrange

    return date(year, month, monthrange(year, month)[1])

"""The monthly rules in pandas, for bench/monitoring_bench.py compare: the same rules as
fanpin.matching.engine (rules.household_facts for the income and 三保障 triggers, departments.* for the
department sources), written the way a pandas user would — vectorised, merges and groupbys, no Python
loops over rows. Amounts in cents, integer arithmetic, nullable dtypes (pandas' own Int64/boolean) so
the figures are the engine's exactly. Income records: monthly ones (the synthetic registry has no annual
records; the engine's annual-record branch is not reproduced and the bench checks there are none).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
COMPONENTS = ("wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket")


def _age(birth: pd.Series, when: date) -> pd.Series:
    b = pd.to_datetime(birth)
    before = (b.dt.month > when.month) | ((b.dt.month == when.month) & (b.dt.day > when.day))
    return when.year - b.dt.year - before.astype("Int64")


def _window(incomes: pd.DataFrame, end_year: int, end_month: int) -> pd.DataFrame:
    end = end_year * 12 + end_month - 1
    index = incomes["year"] * 12 + incomes["month"] - 1
    w = incomes[(incomes["months"] == 1) & (index >= end - 11) & (index <= end)]
    out = w.groupby("household_id")[list(COMPONENTS)].sum()
    out["months_covered"] = w.groupby("household_id").size()
    out["net"] = (
        out["wage"] + out["business"] + out["property_income"] + out["transfer"] - out["business_cost"]
    )
    return out


def _per_capita(net: pd.Series, size: pd.Series) -> pd.Series:
    n = net.abs()
    result = ((n * 2 + size) // (size * 2)) * np.sign(net)
    return result.where(size > 0)


def income_candidates(
    households, members, incomes, params, *, year: int, month: int, excluded: set
) -> list[int]:
    """Household ids that trip a trigger and are not excluded (rules.monitoring_candidates)."""
    from calendar import monthrange

    month_end = date(year, month, monthrange(year, month)[1])
    now = _window(incomes, year, month)
    prior = _window(incomes, year - 1, month)[["net", "wage", "months_covered"]].rename(
        columns={"net": "prior_net", "wage": "prior_wage", "months_covered": "prior_months"}
    )
    m = members
    age = _age(m["birth_date"], month_end)
    compulsory = (age >= 6) & (age <= 16)
    out_of_school = (
        compulsory & (m["school_status"].fillna("") == "") & (m["not_in_school_reason"].fillna("") == "")
    ).fillna(False)
    insured = m["resident_medical"].astype("boolean") | m["employee_medical"].astype("boolean")
    facts = (
        pd.DataFrame(
            {
                "household_id": m["household_id"],
                "serious": (m["health"] == "患大病").astype("Int64"),
                "disabled": (m["health"] == "残疾").astype("Int64"),
                "labour": m["labour_skill"].isin(LABOUR).astype("Int64"),
                "uninsured": (~insured).astype("Int64"),
                "out_of_school": out_of_school.astype("Int64"),
            }
        )
        .groupby("household_id")
        .sum(min_count=1)
    )
    h = households.set_index("household_id").join(now).join(prior).join(facts)
    size = h["size"].astype("Int64")
    pc = _per_capita(h["net"].astype("Int64"), size)
    prior_pc = _per_capita(h["prior_net"].astype("Int64"), size)
    mc = h["months_covered"].astype("Int64")
    poor = h["household_type"] == "脱贫户"
    limit = np.where(
        poor,
        params.oop_share_formerly_poor_bp * params.rural_income,
        params.oop_share_others_bp * params.rural_income,
    )
    fixed = np.where(poor, params.oop_fixed_low_income, params.oop_fixed_ordinary)
    oop = h["out_of_pocket"].astype("Int64").fillna(0)
    water = pd.Series(False, index=h.index)
    for flag in (
        "water_secured",
        "water_quantity_ok",
        "water_quality_ok",
        "water_convenience_ok",
        "water_reliability_ok",
    ):
        water = water | (h[flag].astype("boolean") == False).fillna(False)  # noqa: E712
    triggers = [
        ((mc >= 12) & (pc < params.threshold)).fillna(False),
        (
            (mc >= 12)
            & (h["prior_months"].astype("Int64") >= 12)
            & (prior_pc > 0)
            & (pc * 10_000 < prior_pc * (10_000 - params.income_drop_bp))
        ).fillna(False),
        (((oop * 10_000 > limit) | (oop > fixed)) & (oop > 0)).fillna(False),
        (h["house_grade"].isin(["C", "D"]) | (h["house_dangerous"].astype("boolean") == True)).fillna(False),  # noqa: E712
        water,
        (h["dropout"].astype("boolean") | (h["out_of_school"].fillna(0) > 0)).fillna(False),
        ((h["member_uninsured"].astype("boolean") == True) | (h["uninsured"].fillna(0) > 0)).fillna(False),  # noqa: E712
    ]
    anything = triggers[0]
    for t in triggers[1:]:
        anything = anything | t
    ids = h.index[anything.to_numpy(dtype=bool)]
    return sorted(set(ids) - excluded)


def _people(members: pd.DataFrame) -> pd.DataFrame:
    first = members.sort_values("member_id").drop_duplicates("id_key")
    return first[["id_key", "member_id", "household_id", "birth_date", "household_type"]]


def department_candidates(
    source: str,
    records: pd.DataFrame,
    members: pd.DataFrame,
    params,
    *,
    year: int,
    month: int,
    excluded: set,
    history: pd.DataFrame | None = None,
    people: pd.DataFrame | None = None,
) -> list[tuple]:
    """(household_id, kind, detail) of the rows that raise a lead, not excluded (departments.*)."""
    from calendar import monthrange

    people = _people(members) if people is None else people
    m = records.merge(people, on="id_key", how="inner")
    if source == "medical":
        end = year * 12 + month - 1
        first = end - params.oop_months + 1
        hist = history if history is not None else records
        spent = hist[(hist["period"] >= first) & (hist["period"] <= end)]
        per_person = spent.groupby("id_key", as_index=False)[["amount", "total_cost"]].sum()
        found = per_person.merge(people, on="id_key", how="inner")
        g = found.groupby(["household_id", "household_type"], as_index=False)["amount"].sum()
        g = g[g["household_id"].isin(m["household_id"].unique())]
        poor = g["household_type"] == "脱贫户"
        limit = np.where(
            poor,
            params.oop_share_formerly_poor_bp * params.rural_income,
            params.oop_share_others_bp * params.rural_income,
        )
        fixed = np.where(poor, params.oop_fixed_low_income, params.oop_fixed_ordinary)
        over = ((g["amount"] * 10_000 > limit) | (g["amount"] > fixed)) & (g["amount"] > 0)
        g = g[over]
        keys = [(h, "合规自付", "") for h in g["household_id"]]
    elif source == "civil":
        support = m["category"].isin(["低保", "特困"])
        kind = pd.Series(None, index=m.index, dtype="object")
        kind[support & (m["status"] == "新增")] = "新增" + m["category"]
        kind[support & (m["status"] == "停发")] = m["category"] + "停发"
        kind[m["category"] == "临时救助"] = "临时救助"
        m = m.assign(kind=kind)[kind.notna()]
        keys = list(m[["household_id", "kind"]].drop_duplicates().itertuples(index=False, name=None))
        keys = [(h, k, "") for h, k in keys]
    elif source == "education":
        month_end = date(year, month, monthrange(year, month)[1])
        age = _age(m["birth_date"], month_end)
        out = ((m["status"] == "未在校") & (age >= 6) & (age <= 16)).fillna(False)
        keys = [
            (h, "义务教育阶段未在校", "") for h in m.loc[out.to_numpy(dtype=bool), "household_id"].unique()
        ]
    elif source == "housing":
        d = m[m["category"].isin(["C", "D"])][["household_id", "category"]].drop_duplicates()
        keys = [(h, "危房", c) for h, c in d.itertuples(index=False, name=None)]
    else:
        raise ValueError(source)
    return sorted({k for k in keys if k[0] not in excluded})

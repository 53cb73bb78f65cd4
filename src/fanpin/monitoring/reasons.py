"""Compose a lead's category, risk types and reason in Chinese from the engine's figures."""

from __future__ import annotations

from decimal import Decimal

from fanpin.matching.engine.rules import RuleParams
from fanpin.registry.choices import Category

RISK_ORDER = [
    ("r_illness", "因病"),
    ("r_uninsured", "因病"),
    ("r_disability", "因残"),
    ("r_no_labour", "缺劳动力"),
    ("r_wage_drop", "因务工就业不稳"),
    ("r_house", "住房出现安全问题"),
    ("r_water", "饮水出现安全问题"),
    ("r_dropout", "义务教育阶段适龄儿童少年失学辍学"),
]


def yuan(cents: int | None) -> str:
    if cents is None:
        return "—"
    return f"{Decimal(cents) / 100:,.2f}"


def yuan_short(cents: int) -> str:
    value = Decimal(cents) / 100
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def compose(row: dict, params: RuleParams, *, policy_year: int) -> tuple[str, list[str], str, dict]:
    parts = []
    if row["t_income_below"]:
        parts.append(
            f"人均纯收入 {yuan(row['per_capita'])} 元，低于 {policy_year} 年监测范围 {yuan_short(params.threshold)} 元"
        )
    if row["t_income_drop"]:
        fall = 100 - round(row["per_capita"] * 100 / row["prior_per_capita"])
        parts.append(
            f"人均纯收入较上年同期下降 {fall}%（{yuan(row['prior_per_capita'])} 元降至 {yuan(row['per_capita'])} 元）"
        )
    if row["t_out_of_pocket"]:
        share_bp = (
            params.oop_share_formerly_poor_bp
            if row["household_type"] == "脱贫户"
            else params.oop_share_others_bp
        )
        limit = params.rural_income * share_bp // 10_000
        fixed = (
            params.oop_fixed_low_income if row["household_type"] == "脱贫户" else params.oop_fixed_ordinary
        )
        exceeded = []
        if row["out_of_pocket"] * 10_000 > params.rural_income * share_bp:
            exceeded.append(
                f"上年农村居民人均可支配收入 {yuan_short(params.rural_income)} 元的 {share_bp / 100:g}%（{yuan(limit)} 元）"
            )
        if row["out_of_pocket"] > fixed:
            exceeded.append(f"固定标准 {yuan_short(fixed)} 元")
        parts.append(f"近 12 个月合规自付支出 {yuan(row['out_of_pocket'])} 元，超过" + "和".join(exceeded))
    if row["t_house"]:
        parts.append("住房存在安全问题（C/D 级危房）")
    if row["t_water"]:
        parts.append("饮水安全未保障")
    if row["t_dropout"]:
        parts.append("有义务教育阶段适龄儿童少年失学辍学")
    if row["t_uninsured"]:
        parts.append("有家庭成员未参加城乡居民（职工）基本医疗保险")

    if row["t_income_below"]:
        category = Category.UNSTABLE if row["household_type"] == "脱贫户" else Category.MARGINAL
    elif row["t_out_of_pocket"] or row["t_income_drop"]:
        category = Category.SUDDEN
    else:
        category = Category.UNSTABLE if row["household_type"] == "脱贫户" else Category.MARGINAL
    risks: list[str] = []
    for flag, risk in RISK_ORDER:
        if row.get(flag) and risk not in risks:
            risks.append(risk)
    risks = risks[:5] or ["其他"]
    figures = {
        k: row[k]
        for k in ("net", "per_capita", "prior_per_capita", "out_of_pocket", "months_covered", "size")
        if k in row
    }
    figures["threshold"] = params.threshold
    return str(category), risks, "；".join(parts), figures

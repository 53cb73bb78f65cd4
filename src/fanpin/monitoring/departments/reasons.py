"""Compose a department lead's category, risk types and reason in Chinese from the engine's rows."""

from __future__ import annotations

from fanpin.matching.engine.rules import RuleParams
from fanpin.monitoring.departments.formats import FORMATS
from fanpin.monitoring.reasons import yuan, yuan_short
from fanpin.registry.choices import Category

SUDDEN = {"medical", "disaster"}


def _medical(row: dict, params: RuleParams, household_type: str) -> str:
    poor = household_type == "脱贫户"
    share_bp = params.oop_share_formerly_poor_bp if poor else params.oop_share_others_bp
    fixed = params.oop_fixed_low_income if poor else params.oop_fixed_ordinary
    exceeded = []
    if row["over_share"]:
        limit = params.rural_income * share_bp // 10_000
        exceeded.append(
            f"上年农村居民人均可支配收入 {yuan_short(params.rural_income)} 元的 {share_bp / 100:g}%（{yuan(limit)} 元）"
        )
    if row["over_fixed"]:
        exceeded.append(f"固定标准 {yuan_short(fixed)} 元")
    # detail: the window, e.g. "2024-11 至 2025-10" (the policy's months, across the monthly batches)
    return (
        f"近 {params.oop_months} 个月（{row['detail']}）个人合规自付 {yuan(row['amount'])} 元，超过"
        + "和".join(exceeded)
    )


def _part(source: str, row: dict, params: RuleParams, household_type: str) -> str:
    n, kind, detail = row["n_people"], row["kind"], row["detail"]
    if source == "medical":
        return _medical(row, params, household_type)
    if source == "civil":
        money = f"，金额 {yuan(row['amount'])} 元" if row["amount"] else ""
        if kind == "临时救助":
            return f"{n} 人获得临时救助{money}"
        return f"{n} 人{kind}{money}"
    if source == "education":
        return f"{n} 名义务教育阶段适龄儿童少年未在校"
    if source == "housing":
        return f"住房鉴定为 {detail} 级危房"
    if source == "disability":
        grade = f"（{detail}）" if detail else ""
        return f"{n} 人{kind}{grade}"
    if source == "employment":
        return f"{n} 人{kind}"
    if source == "disaster":
        what = f"（{detail}）" if detail else ""
        return f"受灾{what}，损失 {yuan(row['amount'])} 元"
    return detail or "部门提示需核实"


def compose(
    source: str, rows: list[dict], params: RuleParams, *, household_type: str
) -> tuple[str, list[str], str, dict]:
    """(suggested category, risk types, reason, figures) for one household's rows of one source."""
    label = FORMATS[source].label
    parts = [_part(source, row, params, household_type) for row in rows]
    reason = f"{label}数据：" + "；".join(parts)
    if source in SUDDEN:
        category = Category.SUDDEN
    else:
        category = Category.UNSTABLE if household_type == "脱贫户" else Category.MARGINAL
    risks: list[str] = []
    for row in rows:
        if row["risk"] not in risks:
            risks.append(row["risk"])
    figures = {
        "source": source,
        "items": [
            {k: row[k] for k in ("kind", "detail", "year", "n_people", "amount", "total_cost")}
            for row in rows
        ],
    }
    if source == "medical":
        figures["out_of_pocket"] = sum(r["amount"] for r in rows)
    return str(category), risks[:5], reason, figures

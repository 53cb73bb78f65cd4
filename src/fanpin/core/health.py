"""Health conditions and disability (健康状况、残疾等级、医疗费用、医保和残联数据): the one place that
decides who sees them.

Only roles with Permission.VIEW_HEALTH (county, township and village staff, who do the identification
and the assistance work) see them; everyone else sees HIDDEN in their place, on every page, export,
PDF and API response. docs/security.md lists the surfaces; core/tests/test_health_visibility.py checks
each of them for a role with and a role without the permission.

What counts as health data here:
- a member's 健康状况 and 残疾等级;
- out-of-pocket medical costs (合规自付) and the rows of 医保 and 残联 department files;
- the parts of generated lead reasons (and case summaries copied from them) that state those.
Not health data: the household's risk types (因病、因残 are the national classification of a monitored
household, counted in every report) and assistance measure names (帮扶措施).
"""

from __future__ import annotations

import re
from typing import Any

HIDDEN = "（无权查看）"

# Member fields and national-format column headers that hold health data.
HEALTH_FIELDS = frozenset({"health", "disability_grade"})
HEALTH_COLUMN_WORDS = ("健康", "残疾")
# Department data sources whose rows are health data (LeadSource values) and their reason labels.
HEALTH_SOURCES = frozenset({"medical", "disability"})
_SOURCE_PREFIXES = ("医保数据：", "残联数据：")
# Words that mark a clause of a generated reason as health data.
_CLAUSE_WORDS = ("自付", "残疾", "大病", "慢性病", "医疗费用")
_CLAUSE_SPLIT = re.compile(r"([；;\n])")
# Income components that are medical money: 理赔收入 (insurance claims) and 合规自付支出.
HEALTH_AMOUNT_FIELDS = frozenset({"claims", "out_of_pocket"})
# Lead figures that are health data (monitoring runs and department leads).
_HEALTH_FIGURES = frozenset({"out_of_pocket"})


def can_view_health(user: Any) -> bool:
    from fanpin.accounts.choices import Permission

    has = getattr(user, "has_role_permission", None)
    return bool(has and getattr(user, "is_authenticated", False) and has(Permission.VIEW_HEALTH))


def health_value(value: Any, user: Any) -> Any:
    """A health value (健康状况, 残疾等级, a medical amount) as `user` may see it; empty stays empty."""
    if value in (None, "") or can_view_health(user):
        return value
    return HIDDEN


def health_text(text: str, user: Any) -> str:
    """A generated reason (lead reason, the case summary copied from it) with the clauses that state
    medical costs or disability replaced by HIDDEN. Free text typed by staff is not parsed beyond this."""
    text = text or ""
    if not text or can_view_health(user):
        return text
    for prefix in _SOURCE_PREFIXES:
        if prefix in text:
            head, _sep, _rest = text.partition(prefix)
            return f"{head}{prefix}{HIDDEN}"
    pieces = _CLAUSE_SPLIT.split(text)
    return "".join(HIDDEN if any(word in piece for word in _CLAUSE_WORDS) else piece for piece in pieces)


def health_figures(figures: dict | None, source: str, user: Any) -> dict:
    """A lead's figures: for a health source all items hidden; otherwise the medical amounts removed."""
    figures = dict(figures or {})
    if can_view_health(user):
        return figures
    if source in HEALTH_SOURCES or figures.get("source") in HEALTH_SOURCES:
        return {"source": figures.get("source", source), "hidden": HIDDEN}
    for key in _HEALTH_FIGURES & set(figures):
        figures[key] = HIDDEN
    return figures


def health_values(values: dict | None, user: Any) -> dict | None:
    """An audit event's before/after with the health fields hidden."""
    if not values or can_view_health(user):
        return values
    keys = HEALTH_FIELDS | HEALTH_AMOUNT_FIELDS
    return {k: (health_value(v, user) if k in keys else v) for k, v in values.items()}


def is_health_column(column: str) -> bool:
    return any(word in (column or "") for word in HEALTH_COLUMN_WORDS)


def is_health_source(source: str) -> bool:
    return source in HEALTH_SOURCES


HEALTH_FINDING = "涉及成员健康状况、残疾或医疗费用的问题（无权查看）"
_HEALTH_AMOUNT_COLUMNS = ("合规自付", "理赔")


def health_finding(fields: list | None, message: str, value: str, user: Any) -> tuple[str, str]:
    """A data-quality finding's (message, value) as `user` may see them: a finding about a health
    column (健康状况, 残疾等级, 残疾人证号, 合规自付支出…) keeps its rule code but not what it says."""
    columns = fields or []
    if can_view_health(user) or not any(
        is_health_column(c) or any(w in (c or "") for w in _HEALTH_AMOUNT_COLUMNS) for c in columns
    ):
        return message, value
    return HEALTH_FINDING, (HIDDEN if value else value)

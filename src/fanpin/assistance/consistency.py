"""The consistency rules of domain §5 between a household's risks and its measures, and the principle
"households with labour get development-type help, households without labour get social protection,
sudden hardship gets emergency relief".

Pure functions over `HouseholdFacts` (no database): selectors build the facts in bulk and call `check`.

Measures imported from the national system (Household.measures_recorded, text per category) count as
measures of their category: the national file lists the measures in place when it was exported, and a
county that has not yet entered its plans in fanpin would otherwise see every household flagged. They
carry no dates, amounts or responsible persons, so the plan page shows them apart ("国家系统导入"), and a
measure entered in fanpin is what the rules prefer to see (see docs/assistance.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fanpin.assistance.choices import (
    CATEGORY_NAMES,
    DEVELOPMENT,
    EMPTY_VALUES,
    NATIONAL_COLUMNS,
    RELIEF_ITEMS,
)
from fanpin.assistance.choices import (
    MeasureCategory as C,
)

PLAN = "plan"
IMPORTED = "imported"


@dataclass(frozen=True)
class MeasureFact:
    category: str  # code, e.g. "100A42"
    item: str
    source: str = PLAN  # PLAN (entered in fanpin) or IMPORTED (national file)


@dataclass
class HouseholdFacts:
    risks: set[str] = field(default_factory=set)
    category: str = ""  # 监测对象类别 ("" = never identified)
    eliminated: bool = False
    uninsured: bool = False  # a member without basic medical insurance
    dropout: bool = False
    house_unsafe: bool = False
    water_unsafe: bool = False
    members: int = 0
    labour_members: int = 0  # members whose 劳动技能 counts as labour (普通/技能/弱或半劳动力)
    whole_no_labour: bool = False
    measures: list[MeasureFact] = field(default_factory=list)

    @property
    def monitored(self) -> bool:
        return bool(self.category) and not self.eliminated

    @property
    def has_labour(self) -> bool | None:
        """True / False, or None when no members are recorded (unknown)."""
        if self.whole_no_labour:
            return False
        if not self.members:
            return None
        return self.labour_members > 0


@dataclass(frozen=True)
class Problem:
    rule: str  # a stable code, e.g. "ILLNESS_HEALTH"
    message: str  # Chinese, says what is missing and what to add


# (rule code, condition name shown to people, required categories)
RISK_RULES: list[tuple[str, str, frozenset[str]]] = [
    ("ILLNESS_HEALTH", "因病风险或有成员未参加基本医疗保险", frozenset({C.HEALTH, C.SOCIAL})),
    ("STUDY_EDUCATION", "因学风险", frozenset({C.COMPULSORY_EDUCATION, C.OTHER_EDUCATION, C.SOCIAL})),
    ("DROPOUT_COMPULSORY", "有义务教育阶段适龄儿童少年失学辍学", frozenset({C.COMPULSORY_EDUCATION})),
    ("DISABILITY_PROTECTION", "因残风险", frozenset({C.PROTECTION, C.SOCIAL})),
    ("HOUSING_SAFETY", "住房出现安全问题", frozenset({C.HOUSING, C.RELOCATION})),
    ("WATER_SAFETY", "饮水出现安全问题", frozenset({C.WATER})),
]
RULE_NAMES = {
    "NO_MEASURE": "监测对象无帮扶措施",
    **{code: f"{name}须有相应措施" for code, name, _ in RISK_RULES},
    "LABOUR_DEVELOPMENT": "有劳动力户不能只有综合保障",
    "NO_LABOUR_PROTECTION": "无劳动力户须有综合保障（兜底）",
    "SUDDEN_RELIEF": "突发严重困难户须有临时救助或应急救助",
}


def _applies(code: str, f: HouseholdFacts) -> bool:
    if code == "ILLNESS_HEALTH":
        return "因病" in f.risks or f.uninsured
    if code == "STUDY_EDUCATION":
        return "因学" in f.risks
    if code == "DROPOUT_COMPULSORY":
        return "义务教育阶段适龄儿童少年失学辍学" in f.risks or f.dropout
    if code == "DISABILITY_PROTECTION":
        return "因残" in f.risks
    if code == "HOUSING_SAFETY":
        return "住房出现安全问题" in f.risks or f.house_unsafe
    if code == "WATER_SAFETY":
        return "饮水出现安全问题" in f.risks or f.water_unsafe
    raise KeyError(code)


def _names(categories: Iterable[str]) -> str:
    return "、".join(f"{CATEGORY_NAMES[c]}（{c}）" for c in sorted(categories))


def check(f: HouseholdFacts) -> list[Problem]:
    """The §5 problems of one household, in a fixed order; [] when consistent."""
    problems: list[Problem] = []
    have = {m.category for m in f.measures}
    if f.monitored and not f.measures:
        problems.append(
            Problem("NO_MEASURE", "该户是监测对象，但还没有任何在用的帮扶措施：请在一户一策中添加帮扶措施。")
        )
    for code, name, required in RISK_RULES:
        if _applies(code, f) and not (have & required):
            problems.append(
                Problem(
                    code,
                    f"{name}，但没有{_names(required)}{'中任一类' if len(required) > 1 else ''}措施：请添加。",
                )
            )
    labour = f.has_labour
    if labour and C.PROTECTION in have and not (have & DEVELOPMENT):
        problems.append(
            Problem(
                "LABOUR_DEVELOPMENT",
                f"该户有 {f.labour_members} 名劳动力，却只有综合保障（兜底）措施：请添加开发式帮扶措施"
                f"（{_names(DEVELOPMENT)}）。",
            )
        )
    if labour is False and f.measures and C.PROTECTION not in have:
        problems.append(
            Problem(
                "NO_LABOUR_PROTECTION",
                "该户无劳动力，但没有综合保障（100A48）措施：请落实低保、特困供养等兜底保障。",
            )
        )
    if f.category == "突发严重困难户" and not f.eliminated:
        relief = any(
            m.item in RELIEF_ITEMS or (m.source == IMPORTED and "救助" in m.item) for m in f.measures
        )
        if not relief:
            problems.append(
                Problem(
                    "SUDDEN_RELIEF",
                    "该户是突发严重困难户，但没有临时救助或应急救助措施：请在综合保障（100A48）中添加。",
                )
            )
    return problems


def imported_measures(recorded: dict | None) -> list[MeasureFact]:
    """The national file's measure columns as facts (empty, 否 and 无 are not measures)."""
    facts = []
    for column, value in (recorded or {}).items():
        code = NATIONAL_COLUMNS.get(str(column))
        text = str(value or "").strip()
        if code is None or text in EMPTY_VALUES:
            continue
        facts.append(MeasureFact(category=code, item=text, source=IMPORTED))
    return facts

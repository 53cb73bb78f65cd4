"""指标定义: every figure the reports show, defined once (key, Chinese name, unit, where it comes from).

The rollup job (`fanpin.reports.services.rollup`) computes each available indicator for every division
node and month and stores it in `Rollup`; pages, .xlsx, PDF and the API read only those rows.

Indicators whose source app is not installed yet (casework, assistance) keep their slot here: they are
listed as "待接入" and computed as soon as the app lands (see `pending`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from fanpin.registry.choices import RISK_TYPES


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    group: str
    source: str  # the app that provides the data: registry, monitoring, casework, assistance
    description: str
    decimals: int = 0

    @property
    def available(self) -> bool:
        return apps.is_installed(f"fanpin.{self.source}")

    def format(self, value) -> str:
        if value is None:
            return "—"
        return f"{value:,.{self.decimals}f}"


# Shared "as of month-end" rules, spelled out once for the docs and the code:
#   identified by month M: category set, identification month empty (imported without one) or ≤ M
#   risk eliminated by M:  risk_eliminated and (elimination month empty or ≤ M)
#   monitored at M (监测中): identified by M and risk not eliminated by M
AS_OF = "按月末状态：识别监测时间不晚于该月，且到该月末风险尚未消除"

RISK_KEYS = {
    "因病": "risk_illness",
    "因残": "risk_disability",
    "因学": "risk_study",
    "因自然灾害": "risk_disaster",
    "因意外事故": "risk_accident",
    "因产业项目失败": "risk_industry",
    "因务工就业不稳": "risk_employment",
    "缺劳动力": "risk_no_labour",
    "住房出现安全问题": "risk_housing",
    "饮水出现安全问题": "risk_water",
    "义务教育阶段适龄儿童少年失学辍学": "risk_dropout",
    "其他": "risk_other",
}
assert set(RISK_KEYS) == set(RISK_TYPES)

CATEGORY_KEYS = {"脱贫不稳定户": "unstable", "边缘易致贫户": "marginal", "突发严重困难户": "sudden"}

_G_MON = "监测对象"
_G_ID = "识别与消除"
_G_BASE = "农户与监测率"
_G_INCOME = "收入"
_G_RISK = "风险类型"
_G_LEAD = "预警线索"
_G_CASE = "案件办理"
_G_AID = "帮扶与走访"

_DEFS: list[Indicator] = [
    Indicator("monitored_households", "监测对象户数", "户", _G_MON, "registry", AS_OF),
    Indicator("monitored_people", "监测对象人数", "人", _G_MON, "registry", AS_OF + "；人数为家庭人口数之和"),
    *[
        Indicator(
            f"monitored_{key}_households",
            f"{name}户数",
            "户",
            _G_MON,
            "registry",
            f"监测对象中{name}（{AS_OF}）",
        )
        for name, key in CATEGORY_KEYS.items()
    ],
    *[
        Indicator(
            f"monitored_{key}_people",
            f"{name}人数",
            "人",
            _G_MON,
            "registry",
            f"监测对象中{name}的家庭人口数之和",
        )
        for name, key in CATEGORY_KEYS.items()
    ],
    Indicator(
        "identified_households",
        "累计识别监测对象户数",
        "户",
        _G_ID,
        "registry",
        "识别监测时间不晚于该月的监测对象户数，含已消除风险的户",
    ),
    Indicator("identified_people", "累计识别监测对象人数", "人", _G_ID, "registry", "同上，家庭人口数之和"),
    Indicator("new_households", "本月新识别户数", "户", _G_ID, "registry", "识别监测时间为该月的户数"),
    Indicator(
        "new_people", "本月新识别人数", "人", _G_ID, "registry", "识别监测时间为该月的户的家庭人口数之和"
    ),
    Indicator(
        "eliminated_month_households",
        "本月风险消除户数",
        "户",
        _G_ID,
        "registry",
        "风险已消除且消除监测时间为该月的户数",
    ),
    Indicator(
        "eliminated_households",
        "累计风险消除户数",
        "户",
        _G_ID,
        "registry",
        "到该月末风险已消除的监测对象户数",
    ),
    Indicator(
        "eliminated_assisted_households",
        "累计帮扶消除户数",
        "户",
        _G_ID,
        "registry",
        "到该月末风险已消除、消除方式为帮扶消除的户数",
    ),
    Indicator("registered_households", "登记农户户数", "户", _G_BASE, "registry", "档案中的全部农户（当前）"),
    Indicator(
        "registered_people", "登记农户人数", "人", _G_BASE, "registry", "档案中全部农户的家庭人口数之和"
    ),
    Indicator(
        "formerly_poor_people", "脱贫人口数", "人", _G_BASE, "registry", "户类型为脱贫户的家庭人口数之和"
    ),
    Indicator(
        "rate_base_people",
        "动态监测率分母人数",
        "人",
        _G_BASE,
        "registry",
        "按政策设置“动态监测率分母”：1 = 登记农户人数；2 = 脱贫人口数 + 非脱贫户的累计识别监测对象人数",
    ),
    Indicator(
        "monitoring_rate",
        "动态监测率",
        "%",
        _G_BASE,
        "registry",
        "累计识别监测对象人数 ÷ 动态监测率分母人数 × 100（见 docs/reports.md）",
        decimals=2,
    ),
    Indicator(
        "threshold",
        "监测范围",
        "元/人·年",
        _G_INCOME,
        "monitoring",
        "该月适用的省级监测范围（政策设置）",
        decimals=2,
    ),
    Indicator(
        "snapshot_households",
        "参与月度监测户数",
        "户",
        _G_INCOME,
        "monitoring",
        "该月月末快照中的户数（该月运行过月度监测的户）",
    ),
    Indicator(
        "below_threshold_households",
        "人均纯收入低于监测范围户数",
        "户",
        _G_INCOME,
        "monitoring",
        "月末快照中近 12 个月人均纯收入低于监测范围的户数",
    ),
    Indicator(
        "monitored_below_threshold_households",
        "监测户中收入低于监测范围户数",
        "户",
        _G_INCOME,
        "monitoring",
        "月末快照中风险未消除的监测户里人均纯收入低于监测范围的户数",
    ),
    Indicator(
        "monitored_income_avg",
        "监测户人均纯收入（户平均）",
        "元",
        _G_INCOME,
        "monitoring",
        "月末快照中风险未消除的监测户近 12 个月人均纯收入的平均值（按户平均）",
        decimals=2,
    ),
    *[
        Indicator(
            key, f"风险：{name}", "户", _G_RISK, "registry", f"监测对象（{AS_OF}）中风险类型含“{name}”的户数"
        )
        for name, key in RISK_KEYS.items()
    ],
    Indicator(
        "leads_raised", "本月预警线索", "条", _G_LEAD, "monitoring", "该月产生的预警线索条数（各来源）"
    ),
    Indicator("leads_open", "线索待核实", "条", _G_LEAD, "monitoring", "该月线索中目前仍待核实的条数"),
    Indicator(
        "leads_verified",
        "线索已核实转入识别",
        "条",
        _G_LEAD,
        "monitoring",
        "该月线索中核实属实、转入识别的条数",
    ),
    Indicator("leads_dismissed", "线索已排除", "条", _G_LEAD, "monitoring", "该月线索中核实后排除的条数"),
    # Slots for the casework and assistance apps (computed once they are installed).
    Indicator(
        "cases_open", "在办案件数", "件", _G_CASE, "casework", "到该月末尚未办结的识别纳入和风险消除案件"
    ),
    Indicator(
        "cases_decided",
        "本月办结案件数",
        "件",
        _G_CASE,
        "casework",
        "审定（办结）日期在该月的业务（含未通过）",
    ),
    Indicator(
        "case_days_avg",
        "线索到审定平均天数",
        "天",
        _G_CASE,
        "casework",
        "该月办结的业务从发现线索（提出）日期到审定（办结）日期的平均天数",
        decimals=1,
    ),
    Indicator(
        "cases_overdue",
        "超期案件数",
        "件",
        _G_CASE,
        "casework",
        "到该月末仍未办结，且审定时限或当前环节办理时限已过的业务",
    ),
    *[
        Indicator(
            f"measure_coverage_{key}",
            f"{name}帮扶措施覆盖率",
            "%",
            _G_AID,
            "assistance",
            f"到该月末风险未消除的{name}中，月末有在实施的帮扶措施的户所占比例",
            decimals=1,
        )
        for name, key in CATEGORY_KEYS.items()
    ],
    Indicator(
        "visit_coverage",
        "本月走访覆盖率",
        "%",
        _G_AID,
        "assistance",
        "到该月末风险未消除的监测户中，该月有入户走访记录的户所占比例",
        decimals=1,
    ),
]

INDICATORS: dict[str, Indicator] = {d.key: d for d in _DEFS}
assert len(INDICATORS) == len(_DEFS), "indicator keys must be unique"

# What the overview and the map offer first.
HEADLINE = [
    "monitored_households",
    "monitored_people",
    "monitoring_rate",
    "new_households",
    "eliminated_month_households",
    "leads_raised",
    "below_threshold_households",
    "monitored_income_avg",
]
MAP_DEFAULT = "monitored_households"
# The columns of the children table (and its .xlsx), in order.
TABLE = [
    "monitored_households",
    "monitored_people",
    "monitored_unstable_households",
    "monitored_marginal_households",
    "monitored_sudden_households",
    "new_households",
    "eliminated_month_households",
    "eliminated_households",
    "identified_people",
    "rate_base_people",
    "monitoring_rate",
    "leads_raised",
    "leads_open",
    "cases_open",
    "cases_overdue",
    "visit_coverage",
    "below_threshold_households",
    "monitored_income_avg",
]


def available() -> list[Indicator]:
    return [d for d in _DEFS if d.available]


def pending() -> list[Indicator]:
    return [d for d in _DEFS if not d.available]


def groups() -> list[tuple[str, list[Indicator]]]:
    out: dict[str, list[Indicator]] = {}
    for d in _DEFS:
        out.setdefault(d.group, []).append(d)
    return list(out.items())

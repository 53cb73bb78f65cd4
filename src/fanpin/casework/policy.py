"""Casework's rule parameters, read from monitoring's policy settings (监测政策设置): never constants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fanpin.core.errors import ApplicationError
from fanpin.monitoring.choices import DEFAULT_PARAMS
from fanpin.monitoring.models import PolicySetting


@dataclass(frozen=True)
class CaseParams:
    setting: PolicySetting
    decision_days: int
    step_days: int
    notice_days: int
    elimination_min_months: int
    elimination_min_measures: int
    measure_due_days: int

    @property
    def threshold(self) -> Decimal:
        return self.setting.threshold

    @property
    def source(self) -> str:
        s = self.setting
        return f"{s.year} 年第 {s.version} 版政策设置"


def setting_in_force(*, province_code: str, on: date) -> PolicySetting:
    """The setting in force on `on`: the newest year not after `on`'s year that has a version already
    effective on that day, and of that year the newest such version. (A year's range is often published
    months into the year; until then the previous year's applies.)"""
    setting = (
        PolicySetting.objects.filter(province_code=province_code, year__lte=on.year, effective_from__lte=on)
        .order_by("-year", "-version")
        .first()
    )
    if setting is None:
        raise ApplicationError(
            f"{on:%Y-%m-%d} 没有生效的监测政策设置（省代码 {province_code}）。"
            "请先在“动态监测 → 政策设置”中填写该年度的监测范围和规则参数。"
        )
    return setting


def _int(params: dict, key: str) -> int:
    return int(Decimal(str(params.get(key, DEFAULT_PARAMS[key]))))


def case_params(*, province_code: str, on: date) -> CaseParams:
    setting = setting_in_force(province_code=province_code, on=on)
    p = setting.params or {}
    return CaseParams(
        setting=setting,
        decision_days=_int(p, "case_decision_days"),
        step_days=_int(p, "case_step_days"),
        notice_days=_int(p, "notice_days"),
        elimination_min_months=_int(p, "elimination_min_months"),
        elimination_min_measures=_int(p, "elimination_min_measures"),
        measure_due_days=_int(p, "measure_due_days"),
    )

"""Policy settings (监测政策设置): versioned, with effective dates, audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.matching.engine.rules import RuleParams
from fanpin.monitoring.choices import DEFAULT_PARAMS, PARAM_LABELS
from fanpin.monitoring.models import PolicySetting


def _decimal(name: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"“{PARAM_LABELS.get(name, name)}”应为数字，实际为“{value}”。") from None
    if not number.is_finite() or number < 0:
        raise ApplicationError(f"“{PARAM_LABELS.get(name, name)}”不能为负数。")
    return number


@transaction.atomic
def policy_setting_create(
    *,
    actor: Any,
    province_code: str,
    year: int,
    threshold: Decimal | str | int,
    effective_from: date,
    params: dict | None = None,
    source: str = "",
) -> PolicySetting:
    check_permission(actor, Permission.MANAGE_POLICY, province_code)
    threshold = _decimal("监测范围", threshold)  # the name shown in the message
    if threshold <= 0 or threshold > 100_000:
        raise ApplicationError(f"监测范围 {threshold} 元不合理，请核对。")
    if not 2020 <= year <= 2100:
        raise ApplicationError(f"年度 {year} 不合理。")
    merged = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(merged) - set(DEFAULT_PARAMS)
    if unknown:
        raise ApplicationError(f"未知的规则参数：{'、'.join(sorted(unknown))}")
    for key, value in merged.items():
        if key != "months_considered":
            merged[key] = str(_decimal(key, value))
    if Decimal(merged["monitoring_rate_base"]) not in (1, 2):
        raise ApplicationError(f"“{PARAM_LABELS['monitoring_rate_base']}”应为 1 或 2。")
    oop_months = Decimal(merged["oop_months"])
    if oop_months != oop_months.to_integral_value() or not 1 <= oop_months <= 36:
        raise ApplicationError(f"“{PARAM_LABELS['oop_months']}”应为 1 至 36 的整数。")
    for key in ("income_drop_share", "oop_share_formerly_poor", "oop_share_others"):
        if Decimal(merged[key]) > 5:
            raise ApplicationError(f"“{PARAM_LABELS[key]}”应为比例（如 0.5 表示 50%）。")
    latest = PolicySetting.objects.filter(province_code=province_code, year=year).aggregate(v=Max("version"))[
        "v"
    ]
    setting = PolicySetting.objects.create(
        province_code=province_code,
        year=year,
        version=(latest or 0) + 1,
        effective_from=effective_from,
        threshold=threshold,
        params=merged,
        source=source,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="policy.set",
        obj=setting,
        area_code=province_code,
        after={"year": year, "version": setting.version, "threshold": str(threshold), **merged},
        note=source,
    )
    return setting


def policy_in_force(*, province_code: str, year: int, on: date | None = None) -> PolicySetting:
    """The newest version for (province, year) whose effective date has come: a later version with an
    earlier date (a correction) supersedes the one it corrects."""
    on = on or date.today()
    versions = PolicySetting.objects.filter(province_code=province_code, year=year)
    setting = versions.filter(effective_from__lte=on).order_by("-version").first()
    if setting is None:
        first = versions.order_by("effective_from").first()
        if first is not None:
            raise ApplicationError(
                f"{year} 年的监测范围自 {first.effective_from:%Y-%m-%d} 起才生效，{on:%Y-%m-%d} 尚无适用的设置。"
            )
        raise ApplicationError(
            f"尚未设置 {year} 年的监测范围（省代码 {province_code}）。请先在“政策设置”中填写该年度的监测范围和规则参数。"
        )
    return setting


def rule_params(setting: PolicySetting) -> RuleParams:
    p = setting.params

    def cents(key: str) -> int:
        return int(Decimal(p[key]) * 100)

    def bp(key: str) -> int:
        return int(Decimal(p[key]) * 10_000)

    return RuleParams(
        threshold=int(setting.threshold * 100),
        income_drop_bp=bp("income_drop_share"),
        oop_share_formerly_poor_bp=bp("oop_share_formerly_poor"),
        oop_share_others_bp=bp("oop_share_others"),
        rural_income=cents("rural_income"),
        oop_fixed_low_income=cents("oop_fixed_low_income"),
        oop_fixed_ordinary=cents("oop_fixed_ordinary"),
        # Settings made before the parameter existed take the default a new setting gets.
        oop_months=int(Decimal(str(p.get("oop_months", DEFAULT_PARAMS["oop_months"])))),
    )

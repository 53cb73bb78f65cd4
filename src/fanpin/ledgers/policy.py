"""Ledger policy settings (limits of domain §10): national defaults, overridden per province by date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record

# key: (label, default, unit, source)
DEFAULTS: dict[str, tuple[str, Decimal, str, str]] = {
    "loan_max_amount": ("小额信贷单户额度上限", Decimal("50000"), "元", "脱贫人口小额信贷政策：5 万元以下"),
    "loan_max_months": ("小额信贷期限上限", Decimal("36"), "个月", "3 年期以内"),
    "loan_min_age": ("借款人最低年龄", Decimal("18"), "周岁", "18 周岁（含）以上"),
    "loan_max_age": ("借款人最高年龄", Decimal("65"), "周岁", "65 周岁（含）以下"),
    "loan_subsidy_share": ("小额信贷贴息比例", Decimal("1"), "（比例）", "财政全额贴息；各地可调整"),
    "welfare_min_age": ("公益性岗位最低年龄", Decimal("16"), "周岁", "16 周岁以上"),
    "welfare_max_age": ("公益性岗位一般年龄上限", Decimal("60"), "周岁", "一般不超过 60 周岁"),
    "welfare_max_age_extended": ("公益性岗位放宽年龄上限", Decimal("65"), "周岁", "确有需要可放宽至 65 周岁"),
    "industry_share_min": ("衔接资金用于产业的最低比例", Decimal("0.6"), "（比例）", "原则上不低于 60%"),
}


def setting_value(key: str, *, province_code: str = "14", on: date | None = None) -> Decimal:
    from fanpin.ledgers.models import LedgerSetting

    on = on or date.today()
    row = (
        LedgerSetting.objects.filter(province_code=province_code, key=key, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )
    return row.value if row is not None else DEFAULTS[key][1]


def settings_in_force(*, province_code: str = "14", on: date | None = None) -> list[dict]:
    return [
        {
            "key": k,
            "label": label,
            "value": setting_value(k, province_code=province_code, on=on),
            "unit": unit,
        }
        for k, (label, _d, unit, _s) in DEFAULTS.items()
    ]


@transaction.atomic
def ledger_setting_set(
    *, actor: Any, province_code: str, key: str, value: Decimal, effective_from: date, source: str = ""
):
    from fanpin.ledgers.models import LedgerSetting

    check_permission(actor, Permission.MANAGE_POLICY, province_code)
    if key not in DEFAULTS:
        raise ApplicationError(f"没有设置项“{key}”。可设置：{'、'.join(DEFAULTS)}。")
    row = LedgerSetting.objects.create(
        province_code=province_code,
        key=key,
        value=Decimal(str(value)),
        effective_from=effective_from,
        source=source,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="ledger.setting_set",
        obj=row,
        area_code=province_code,
        after={"key": key, "value": str(value), "effective_from": str(effective_from)},
        note=source,
    )
    return row


def ledger_setting_list(*, province_code: str):
    """Every value set for the province, newest first (settings are province-wide, readable by all staff)."""
    from fanpin.ledgers.models import LedgerSetting

    return LedgerSetting.objects.filter(province_code=province_code).select_related("created_by")

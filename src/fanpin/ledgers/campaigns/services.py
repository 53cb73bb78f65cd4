"""Campaign writes: create a campaign, add and remove targets; audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division
from fanpin.ledgers.campaigns.models import Campaign, CampaignTarget
from fanpin.ledgers.framework.definition import all_metrics


def _division(code: str) -> Division:
    division = Division.objects.filter(code=(code or "").strip()).first()
    if division is None:
        raise ApplicationError(f"区划代码“{code}”不存在，请填写 2–12 位行政区划代码。")
    return division


@transaction.atomic
def campaign_create(
    *, actor: Any, name: str, area_code: str, start_on: date, end_on: date, note: str = ""
) -> Campaign:
    division = _division(area_code)
    check_permission(actor, Permission.EDIT, division.code)
    if not (name or "").strip():
        raise ApplicationError("请填写行动名称，如“百日攻坚”。")
    if end_on < start_on:
        raise ApplicationError("结束日期早于开始日期，请核对。")
    campaign = Campaign.objects.create(
        name=name.strip(),
        area=division,
        start_on=start_on,
        end_on=end_on,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="ledger.campaign.create",
        obj=campaign,
        area_code=division.code,
        after={"name": campaign.name, "start_on": str(start_on), "end_on": str(end_on)},
    )
    return campaign


@transaction.atomic
def campaign_target_add(
    *,
    actor: Any,
    campaign: Campaign,
    indicator: str,
    target: Decimal | None = None,
    label: str = "",
    area_code: str = "",
    start_on: date | None = None,
    end_on: date | None = None,
    compare_last_year: bool = False,
    decimals: int = 2,
) -> CampaignTarget:
    check_permission(actor, Permission.EDIT, campaign.area_id)
    metrics = all_metrics()
    if indicator not in metrics:
        raise ApplicationError(f"没有指标“{indicator}”，请从列表中选择指标。")
    division = _division(area_code) if area_code else campaign.area
    if not division.code.startswith(campaign.area_id):
        raise ApplicationError(f"区划 {division.code} 不在行动区划 {campaign.area_id} 内。")
    check_permission(actor, Permission.EDIT, division.code)
    start_on = start_on or campaign.start_on
    end_on = end_on or campaign.end_on
    if end_on < start_on:
        raise ApplicationError("期间结束早于期间开始，请核对。")
    if target is not None and target < 0:
        raise ApplicationError("目标值不能为负数。")
    if not 0 <= decimals <= 4:
        raise ApplicationError("百分比保留小数位应为 0–4。")
    row = CampaignTarget.objects.create(
        campaign=campaign,
        indicator=indicator,
        label=label,
        area=division,
        start_on=start_on,
        end_on=end_on,
        target=target,
        compare_last_year=compare_last_year,
        decimals=decimals,
        position=campaign.targets.count(),
    )
    audit_record(
        actor=actor,
        action="ledger.campaign.target_add",
        obj=row,
        area_code=division.code,
        after={
            "indicator": indicator,
            "label": label,
            "target": None if target is None else str(target),
            "start_on": str(start_on),
            "end_on": str(end_on),
            "compare_last_year": compare_last_year,
        },
    )
    return row


@transaction.atomic
def campaign_target_remove(*, actor: Any, target: CampaignTarget) -> None:
    check_permission(actor, Permission.EDIT, target.area_id)
    audit_record(
        actor=actor,
        action="ledger.campaign.target_remove",
        obj=target,
        area_code=target.area_id,
        before={
            "indicator": target.indicator,
            "target": None if target.target is None else str(target.target),
        },
    )
    target.delete()

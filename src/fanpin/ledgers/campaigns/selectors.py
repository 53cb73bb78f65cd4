from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fanpin.core.scope import restrict
from fanpin.ledgers.campaigns.models import Campaign, CampaignTarget


def campaign_list(*, user: Any, area: str = "") -> QuerySet[Campaign]:
    qs = restrict(Campaign.objects.select_related("area"), user=user, field="area__code")
    if area and area.isdigit():
        qs = qs.filter(area__code__startswith=area)
    return qs


def campaign_get(*, user: Any, campaign_id: int) -> Campaign:
    campaign = campaign_list(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("该行动不存在或不在您的管辖范围内")
    return campaign


def target_get(*, user: Any, target_id: int) -> CampaignTarget:
    qs = restrict(
        CampaignTarget.objects.select_related("campaign", "area"), user=user, field="campaign__area__code"
    )
    target = qs.filter(pk=target_id).first()
    if target is None:
        raise Http404("该指标不存在或不在您的管辖范围内")
    return target

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fanpin.core.scope import household_fields, restrict
from fanpin.monitoring.models import Lead, MonitoringRun, PolicySetting


def lead_list(*, user: Any, filters: dict | None = None) -> QuerySet[Lead]:
    qs = restrict(
        Lead.objects.select_related("household", "household__village"),
        user=user,
        level_fields=household_fields("household__"),
    )
    f = filters or {}
    area = (f.get("area") or "").strip()
    if area.isdigit() and len(area) in household_fields():
        qs = qs.filter(**{household_fields("household__")[len(area)]: area})
    for key in ("status", "source", "suggested_category"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("month"):
        year, _, month = str(f["month"]).partition("-")
        if year.isdigit() and month.isdigit():
            qs = qs.filter(year=int(year), month=int(month))
    if f.get("risk"):
        qs = qs.filter(risk_types__contains=f["risk"])
    return qs.order_by("-year", "-month", "household__code")


def lead_get(*, user: Any, lead_id: int) -> Lead:
    lead = lead_list(user=user).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("线索不存在或不在您的管辖范围内")
    return lead


def run_list(*, user: Any) -> QuerySet[MonitoringRun]:
    return restrict(
        MonitoringRun.objects.select_related("policy", "created_by"), user=user, field="area_code"
    )


def run_get(*, user: Any, run_id: int) -> MonitoringRun:
    run = run_list(user=user).filter(pk=run_id).first()
    if run is None:
        raise Http404("监测批次不存在或不在您的管辖范围内")
    return run


def policy_list(*, user: Any) -> QuerySet[PolicySetting]:
    """Policy settings of the user's province (settings are per province; everyone may read them)."""
    prefix = getattr(user, "area_code", None)
    if prefix is None:
        return PolicySetting.objects.none()
    qs = PolicySetting.objects.select_related("created_by")
    return qs.filter(province_code=prefix[:2]) if prefix else qs

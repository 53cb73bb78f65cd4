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


def what_if(*, user: Any, area_code: str, year: int, month: int, threshold, current) -> list[dict]:
    """By county: households and people below the current threshold and below `threshold`, from the
    month-end snapshots of (year, month) — only households with a full year of income records."""
    from django.db.models import Count, Q, Sum

    from fanpin.divisions.models import Division
    from fanpin.monitoring.models import HouseholdSnapshot

    qs = restrict(
        HouseholdSnapshot.objects.filter(year=year, month=month, months_covered__gte=12),
        user=user,
        level_fields=household_fields("household__"),
    )
    if area_code:
        qs = qs.filter(**{household_fields("household__")[len(area_code)]: area_code})
    rows = (
        qs.values("county_code")
        .annotate(
            households=Count("id"),
            now_households=Count("id", filter=Q(per_capita_income__lt=current)),
            now_people=Sum("household__size", filter=Q(per_capita_income__lt=current)),
            x_households=Count("id", filter=Q(per_capita_income__lt=threshold)),
            x_people=Sum("household__size", filter=Q(per_capita_income__lt=threshold)),
        )
        .order_by("county_code")
    )
    names = dict(
        Division.objects.filter(code__in=[r["county_code"] for r in rows]).values_list("code", "name")
    )
    result = []
    for r in rows:
        r = {**r, "county_name": names.get(r["county_code"], r["county_code"])}
        r["now_people"] = r["now_people"] or 0
        r["x_people"] = r["x_people"] or 0
        r["change"] = r["x_households"] - r["now_households"]
        result.append(r)
    return result

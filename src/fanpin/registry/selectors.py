from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from fanpin.core.fields import index_of
from fanpin.core.models import AuditEvent
from fanpin.core.scope import household_fields, restrict
from fanpin.registry.models import Household, IncomeRecord, Member

FLAGS = {
    "house_unsafe": ("危房", Q(house_grade__in=["C", "D"]) | Q(house_dangerous=True)),
    "water_unsafe": (
        "饮水不安全",
        Q(water_secured=False)
        | Q(water_quantity_ok=False)
        | Q(water_quality_ok=False)
        | Q(water_convenience_ok=False)
        | Q(water_reliability_ok=False),
    ),
    "dropout": ("失学辍学", Q(dropout=True)),
    "uninsured": ("有成员未参加医保", Q(member_uninsured=True)),
    "whole_no_labour": ("整户无劳动能力", Q(whole_no_labour=True)),
    "relocated": ("易地搬迁", Q(relocated=True)),
    "monitored": ("监测对象（风险未消除）", Q(category__gt="", risk_eliminated=False)),
}


def _looks_like_id(q: str) -> bool:
    """18 characters, 17 digits and a digit or X (a resident ID), or a 20/22-digit disability card."""
    q = q.upper()
    return (len(q) == 18 and q[:17].isdigit() and (q[17].isdigit() or q[17] == "X")) or (
        len(q) in (20, 22) and q.isdigit()
    )


def household_list(*, user: Any, filters: dict | None = None) -> QuerySet[Household]:
    """Households in the user's area, filtered. Keys: area (division code), household_type, category,
    risk, income_min, income_max, flag (FLAGS), q (户编号 or 户主姓名)."""
    qs = restrict(Household.objects.all(), user=user, level_fields=household_fields())
    f = filters or {}
    area = (f.get("area") or "").strip()
    if area.isdigit():
        field = {
            2: "province_code",
            4: "city_code",
            6: "county_code",
            9: "township_code",
            12: "village_id",
        }.get(len(area))
        if field:
            qs = qs.filter(**{field: area})
    if f.get("household_type"):
        qs = qs.filter(household_type=f["household_type"])
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("risk"):
        qs = qs.filter(risk_types__contains=f["risk"])
    for key, lookup in (("income_min", "per_capita_income__gte"), ("income_max", "per_capita_income__lte")):
        value = (f.get(key) or "").strip() if isinstance(f.get(key), str) else f.get(key)
        if value not in (None, ""):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                continue
            if number.is_finite():  # "Infinity" / "NaN" parse but are not amounts
                qs = qs.filter(**{lookup: number})
    flag = f.get("flag")
    if flag in FLAGS:
        qs = qs.filter(FLAGS[flag][1])
    q = (f.get("q") or "").strip()
    if q:
        if _looks_like_id(q):
            # A member's full ID number (encrypted at rest): found by its blind index.
            index = index_of(Member, "id_number", q)
            qs = qs.filter(
                Q(code=q) | Q(pk__in=Member.objects.filter(id_number_index=index).values("household_id"))
            )
        else:
            qs = qs.filter(code=q) if q.isdigit() else qs.filter(head_name__startswith=q)
    return qs.select_related("village").order_by("code")


def household_get(*, user: Any, household_id: int, for_update: bool = False) -> Household:
    qs = restrict(Household.objects.select_related("village"), user=user, level_fields=household_fields())
    household = qs.filter(pk=household_id).first()
    if household is None:
        raise Http404("该户不存在或不在您的管辖范围内")
    return household


def member_list(*, user: Any, household: Household | None = None) -> QuerySet[Member]:
    qs = restrict(
        Member.objects.select_related("household"), user=user, level_fields=household_fields("household__")
    )
    if household is not None:
        qs = qs.filter(household=household)
    return qs


def member_get(*, user: Any, member_id: int) -> Member:
    member = member_list(user=user).filter(pk=member_id).first()
    if member is None:
        raise Http404("该成员不存在或不在您的管辖范围内")
    return member


def income_list(*, user: Any, household: Household | None = None) -> QuerySet[IncomeRecord]:
    qs = restrict(IncomeRecord.objects.all(), user=user, level_fields=household_fields("household__"))
    if household is not None:
        qs = qs.filter(household=household)
    return qs.order_by("year", "month")


def household_history(*, user: Any, household: Household) -> QuerySet[AuditEvent]:
    """Change history of a household and its members and incomes (who, when, what)."""
    restrict(Household.objects.filter(pk=household.pk), user=user, level_fields=household_fields()).get()
    return AuditEvent.objects.filter(subject=household.code).order_by("-created_at", "-id")


def import_batch_list(*, user: Any):
    from fanpin.registry.models import ImportBatch

    return restrict(ImportBatch.objects.select_related("created_by"), user=user, field="area_code")


def import_batch_get(*, user: Any, batch_id: int):
    batch = import_batch_list(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("导入批次不存在或不在您的管辖范围内")
    return batch


def household_summary(*, user: Any, area_code: str) -> dict:
    """Counts for the home page: households, people, formerly poor, monitored, below the income range."""
    from django.db.models import Count, Q, Sum

    qs = household_list(user=user, filters={"area": area_code})
    return qs.aggregate(
        households=Count("id"),
        people=Sum("size"),
        formerly_poor=Count("id", filter=Q(household_type="脱贫户")),
        monitored=Count("id", filter=Q(category__gt="") & Q(risk_eliminated=False)),
        eliminated=Count("id", filter=Q(risk_eliminated=True)),
    )

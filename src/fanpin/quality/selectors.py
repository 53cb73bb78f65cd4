from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fanpin.core.scope import number_filter, restrict
from fanpin.quality.choices import RunSource, RunStatus
from fanpin.quality.models import AreaScore, Exemption, Finding, QualityRun


def run_list(*, user: Any, filters: dict | None = None) -> QuerySet[QualityRun]:
    qs = restrict(QualityRun.objects.select_related("policy", "created_by"), user=user, field="area_code")
    area = ((filters or {}).get("area") or "").strip()
    if area.isdigit():
        qs = qs.filter(area_code__startswith=area)
    return qs.order_by("-created_at", "-id")


def run_get(*, user: Any, run_id: int) -> QualityRun:
    run = run_list(user=user).filter(pk=run_id).first()
    if run is None:
        raise Http404("校验不存在或不在您的管辖范围内")
    return run


def finding_list(
    *, user: Any, run: QualityRun | None = None, filters: dict | None = None
) -> QuerySet[Finding]:
    """Findings of runs the user may see (of `run` when given), filtered by village, level, rule."""
    runs = run_list(user=user)
    qs = Finding.objects.filter(run__in=runs) if run is None else Finding.objects.filter(run=run)
    f = filters or {}
    if f.get("run"):
        qs = number_filter(qs, "run_id", f["run"])
    village = (f.get("village") or "").strip()
    if village == "-":
        qs = qs.filter(village_code="")
    elif village.isdigit():
        qs = qs.filter(village_code__startswith=village)
    if f.get("level") in ("error", "warning"):
        qs = qs.filter(level=f["level"])
    if f.get("code"):
        qs = qs.filter(code=f["code"])
    if f.get("household"):
        qs = qs.filter(household_code=f["household"])
    return qs.order_by("village_code", "household_code", "code", "row", "id")


def scores(*, run: QualityRun, level: int | None = None) -> QuerySet[AreaScore]:
    qs = run.scores.all()
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("score", "code")


def trend(*, user: Any, area_code: str) -> list[QualityRun]:
    """Finished registry runs of `area_code`, oldest first: the score over time."""
    return list(
        run_list(user=user)
        .filter(source=RunSource.REGISTRY, status=RunStatus.DONE, area_code=area_code)
        .order_by("created_at", "id")
    )


def exemption_list(*, user: Any, filters: dict | None = None) -> QuerySet[Exemption]:
    qs = restrict(
        Exemption.objects.select_related("household", "requested_by", "decided_by"),
        user=user,
        field="village_code",
    )
    status = (filters or {}).get("status")
    if status:
        qs = qs.filter(status=status)
    return qs


def exemption_get(*, user: Any, exemption_id: int) -> Exemption:
    exemption = exemption_list(user=user).filter(pk=exemption_id).first()
    if exemption is None:
        raise Http404("豁免申请不存在或不在您的管辖范围内")
    return exemption


def finding_get(*, user: Any, finding_id: int) -> Finding:
    finding = finding_list(user=user).filter(pk=finding_id).select_related("household").first()
    if finding is None:
        raise Http404("校验发现不存在或不在您的管辖范围内")
    return finding

"""Queue a rollup job (pages and the CLI)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.divisions.models import Division


@transaction.atomic
def rollup_request(*, actor: Any, area_code: str, months: list[tuple[int, int]]) -> Job:
    check_permission(actor, Permission.RUN_MONITORING, area_code)
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"区划代码“{area_code}”不存在。")
    if not months:
        raise ApplicationError("请至少指定一个月份。")
    labels = [f"{y}-{m:02d}" for y, m in months]
    return job_enqueue(
        kind="reports.rollup",
        title=f"指标汇总 {area_code} {labels[0]}" + (f" 至 {labels[-1]}" if len(labels) > 1 else ""),
        params={
            "area": area_code,
            "months": labels,
            "actor": str(actor) if not getattr(actor, "pk", None) else "",
        },
        actor=actor,
        area_code=area_code,
    )


def rollup_refresh_request(*, household_id: int, since) -> Job | None:
    """Queue (or extend the queued) rollup of a household's county for the finished months from `since`
    (None: all) that already have rollups; None when there is nothing to refresh."""
    from fanpin.core.models.job import JobStatus
    from fanpin.registry.models import Household
    from fanpin.reports.models import Rollup
    from fanpin.reports.services.rollup import last_months

    county = Household.objects.filter(pk=household_id).values_list("county_code", flat=True).first()
    if not county:
        return None
    first = 0 if since is None else since.year * 12 + since.month - 1
    have = set(
        Rollup.objects.filter(area_code=county, indicator="registered_households").values_list(
            "year", "month"
        )
    )
    months = [(y, m) for y, m in last_months(240) if y * 12 + m - 1 >= first and (y, m) in have]
    if not months:
        return None
    labels = [f"{y}-{m:02d}" for y, m in months]
    with transaction.atomic():
        waiting = (
            Job.objects.select_for_update()
            .filter(kind="reports.rollup", status=JobStatus.QUEUED, area_code=county, params__area=county)
            .order_by("id")
            .first()
        )
        if waiting is not None:
            merged = sorted(set(waiting.params.get("months", [])) | set(labels))
            Job.objects.filter(pk=waiting.pk).update(params={**waiting.params, "months": merged})
            return waiting
        return job_enqueue(
            kind="reports.rollup",
            title=f"指标汇总（业务变更）{county} {labels[0]}"
            + (f" 至 {labels[-1]}" if len(labels) > 1 else ""),
            params={"area": county, "months": labels, "actor": "业务变更"},
            area_code=county,
        )

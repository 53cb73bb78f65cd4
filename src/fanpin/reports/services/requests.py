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

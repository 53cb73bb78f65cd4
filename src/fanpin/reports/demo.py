"""Demo data: indicator rollups for 平定县 over the last 12 months, so `fanpin demo` shows a populated
overview. Once: skipped when the county has rollups for the first of those months (the monitoring run
before this step computes only last month; recompute with `fanpin reports rollup --area 140321`)."""

from __future__ import annotations

from collections.abc import Callable

DEMO_COUNTY = "140321"


def demo_rollups(on_progress: Callable[[int, int], None] | None = None) -> str:
    from fanpin.registry.models import Household
    from fanpin.reports.models import Rollup
    from fanpin.reports.services.rollup import last_months, rollup_compute

    if not Household.objects.filter(county_code=DEMO_COUNTY).exists():
        return "平定县没有农户，未计算"
    months = last_months(12)
    year, month = months[0]
    if Rollup.objects.filter(area_code=DEMO_COUNTY, year=year, month=month).exists():
        return f"平定县 {year}-{month:02d} 已有指标汇总，未重算"
    counts = rollup_compute(actor="演示数据", area_code=DEMO_COUNTY, months=months, on_progress=on_progress)
    return f"平定县近 {counts['months']} 个月指标汇总 {counts['rows']} 行"

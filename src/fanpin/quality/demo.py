"""Demo data: one data-quality run over the registry of 平定县, once."""

from __future__ import annotations

from collections.abc import Callable


def demo_quality_run(on_progress: Callable[[int, int], None] | None = None) -> str:
    from fanpin.core.demo import DEMO_SYNTH_COUNTY
    from fanpin.core.jobs import job_run_now
    from fanpin.quality.choices import RunSource, RunStatus
    from fanpin.quality.models import QualityRun
    from fanpin.quality.services.runs import quality_run_request

    done = QualityRun.objects.filter(
        source=RunSource.REGISTRY, area_code=DEMO_SYNTH_COUNTY, status=RunStatus.DONE
    ).first()
    if done is not None:
        return f"平定县已有数据质量校验（得分 {done.score}），未重复运行"
    run, job = quality_run_request(actor="演示数据", area_code=DEMO_SYNTH_COUNTY)
    job_run_now(job)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        return f"平定县数据质量校验失败：{run.message}"
    return (
        f"平定县数据质量校验：{run.counts.get('households', 0)} 户，错误 {run.counts.get('errors', 0)} 处，"
        f"提示 {run.counts.get('warnings', 0)} 处，得分 {run.score}"
    )

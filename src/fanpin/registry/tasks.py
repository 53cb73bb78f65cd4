from fanpin.core.jobs import JobContext, job_kind
from fanpin.registry.services.synth import households_synthesize


@job_kind("registry.synth")
def synth_households_job(ctx: JobContext, params: dict) -> dict:
    area = params.get("area") or "全部区划"
    ctx.log(f"开始生成合成农户：{params['households']} 户，区域 {area}，种子 {params['seed']}")
    result = households_synthesize(
        actor=ctx.job.created_by or "命令行",
        households=params["households"],
        seed=params["seed"],
        area_code=params.get("area") or "",
        end=params.get("end") or None,
        replace=bool(params.get("replace")),
        on_progress=lambda done, total: ctx.progress(done, total),
    )
    ctx.set_count("农户", result.households)
    ctx.set_count("家庭成员", result.members)
    ctx.set_count("收入记录", result.incomes)
    ctx.set_count("监测对象", result.monitored)
    if result.deleted:
        ctx.log(f"已删除{result.area_name}原有农户 {result.deleted} 户")
    rate = result.households / result.seconds if result.seconds else 0
    ctx.log(
        f"完成：{result.area_name} {result.households} 户、{result.members} 人、收入记录 {result.incomes} 条，"
        f"其中监测对象 {result.monitored} 户；收入截至 {result.end}；用时 {result.seconds} 秒（{rate:,.0f} 户/秒）"
    )
    return result.as_dict()

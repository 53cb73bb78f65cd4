"""Demo data: Shanxi divisions and one account per level, created once (re-running creates nothing twice).

Later capabilities add their own demo data here through `DEMO_STEPS`.
"""

from __future__ import annotations

from collections.abc import Callable

from fanpin.accounts.choices import Role
from fanpin.accounts.models import User
from fanpin.accounts.services.users import user_create
from fanpin.divisions.models import Division
from fanpin.divisions.services.load import divisions_load_shanxi

DEMO_PASSWORD = "Demo@2026"
# (username, role, area code, display name)
DEMO_USERS = [
    ("demo_province", Role.PROVINCE, "14", "省级演示用户（山西省）"),
    ("demo_city", Role.CITY, "1403", "市级演示用户（阳泉市）"),
    ("demo_county", Role.COUNTY, "140321", "县级演示用户（平定县）"),
    ("demo_township", Role.TOWNSHIP, "140321201", "乡镇演示用户（平定县岔口乡）"),
    ("demo_village", Role.VILLAGE, "140321201249", "村级演示用户（岔口乡秋林庄村）"),
    ("demo_department", Role.DEPARTMENT, "140321", "部门数据专员（平定县医保局）"),
    ("demo_inspector", Role.INSPECTOR, "1403", "督查演示用户（阳泉市，只读）"),
    ("demo_admin", Role.ADMIN, "14", "系统管理员"),
]

# Later modules append (label, function(on_progress) -> str) steps that create their demo data once.
DEMO_STEPS: list[tuple[str, Callable]] = []

DEMO_SYNTH_COUNTY = "140321"  # 平定县
DEMO_SYNTH_HOUSEHOLDS = 3000
DEMO_SYNTH_SEED = 2026


def demo_households_synthesize(on_progress: Callable[[int, int], None] | None = None) -> str:
    """Synthetic households in 平定县, once: skipped when the county already has households."""
    from fanpin.registry.models import Household
    from fanpin.registry.services.synth import households_synthesize

    existing = Household.objects.filter(county_code=DEMO_SYNTH_COUNTY).count()
    if existing:
        return f"平定县已有农户 {existing} 户，未新增"
    result = households_synthesize(
        actor="演示数据",
        households=DEMO_SYNTH_HOUSEHOLDS,
        seed=DEMO_SYNTH_SEED,
        area_code=DEMO_SYNTH_COUNTY,
        on_progress=on_progress,
    )
    return f"平定县合成农户 {result.households} 户、{result.members} 人，其中监测对象 {result.monitored} 户"


DEMO_STEPS.append(("合成农户", demo_households_synthesize))


def demo_monitoring_run(on_progress: Callable[[int, int], None] | None = None) -> str:
    """Last month's monitoring for 平定县, once. Years without a published threshold get a demo setting
    that carries Shanxi's 2023 range (7,100 yuan), labelled as such, to be replaced by the real figure."""
    from datetime import date

    from fanpin.core.jobs import job_run_now
    from fanpin.monitoring.models import MonitoringRun, PolicySetting
    from fanpin.monitoring.services.policy import policy_setting_create
    from fanpin.monitoring.services.runs import monitoring_run_request

    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    if MonitoringRun.objects.filter(area_code=DEMO_SYNTH_COUNTY, year=year, month=month).exists():
        return f"{year}-{month:02d} 已监测，未重复运行"
    for y in {year - 1, year}:
        if not PolicySetting.objects.filter(province_code="14", year=y).exists():
            policy_setting_create(
                actor="演示数据",
                province_code="14",
                year=y,
                threshold="7100",
                effective_from=date(y, 1, 1),
                source=f"演示设置：沿用山西省 2023 年监测范围 7,100 元；正式使用前请按 {y} 年文件修改",
            )
    run, job = monitoring_run_request(actor="演示数据", area_code=DEMO_SYNTH_COUNTY, year=year, month=month)
    job_run_now(job)
    run.refresh_from_db()
    return f"平定县 {year}-{month:02d} 月度监测：新线索 {run.counts.get('leads', 0)} 条"


DEMO_STEPS.append(("月度监测", demo_monitoring_run))

from fanpin.assistance.demo import demo_assistance  # noqa: E402

DEMO_STEPS.append(("帮扶", demo_assistance))


def demo_users_create() -> int:
    created = 0
    for username, role, area, name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            actor="演示数据",
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            area_code=area,
            display_name=name,
            check_password=False,
        )
        created += 1
    return created


def demo_prepare(on_progress: Callable[[int, int], None] | None = None) -> list[str]:
    summary = []
    if (
        Division.objects.filter(level=1, code="14").exists()
        and Division.objects.filter(level=5).count() >= 21895
    ):
        summary.append("山西省行政区划已存在")
    else:
        result = divisions_load_shanxi(actor="演示数据", on_progress=on_progress)
        summary.append(f"行政区划新增 {result.created} 个")
    summary.append(f"演示账号新增 {demo_users_create()} 个")
    for label, step in DEMO_STEPS:
        summary.append(f"{label}：{step(on_progress)}")
    return summary


def print_logins(*, host: str, port: int) -> None:
    print()
    print(f"  打开 / open:  http://{host}:{port}/")
    print(f"  演示账号 / demo logins（密码 / password: {DEMO_PASSWORD}）:")
    for username, _role, area, name in DEMO_USERS:
        print(f"    {username:<16} {name}  [{area}]")
    print(flush=True)


def demo_cases(on_progress: Callable[[int, int], None] | None = None) -> str:
    from fanpin.casework.demo import demo_cases as step

    return step(on_progress)


DEMO_STEPS.append(("识别与消除业务", demo_cases))
from fanpin.reports.demo import demo_rollups  # noqa: E402 — after the monitoring run it summarises

DEMO_STEPS.append(("指标汇总", demo_rollups))
from fanpin.ledgers.demo import demo_ledgers  # noqa: E402

DEMO_STEPS.append(("巩固衔接台账", demo_ledgers))
from fanpin.quality.demo import demo_quality_run  # noqa: E402

DEMO_STEPS.append(("数据质量校验", demo_quality_run))
from fanpin.registry.demo import demo_bank_accounts  # noqa: E402

DEMO_STEPS.append(("一卡通账号", demo_bank_accounts))

"""The steps of bench/load/prepare.py, in order. Each takes the Config, returns a short summary and skips
what is already there, so a rerun only does what is missing (and tops the township queues up again).
Everything runs in-process through the project's services; src/fanpin/core/tests/test_load_benchmark.py
runs the same steps on a small Config."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ACTOR = "负载测试"
# Counties whose townships get the casework queues, the accounts and the quality runs: one or two per city.
COUNTIES = [
    "140321",  # 平定县 (阳泉市), the demo county
    "140121",  # 清徐县 (太原市)
    "140221",  # 阳高县 (大同市)
    "140425",  # 平顺县 (长治市)
    "140525",  # 泽州县 (晋城市)
    "140621",  # 山阴县 (朔州市)
    "140721",  # 榆社县 (晋中市)
    "140821",  # 临猗县 (运城市)
    "140921",  # 定襄县 (忻州市)
    "141021",  # 曲沃县 (临汾市)
    "141121",  # 文水县 (吕梁市)
    "140322",  # 盂县 (阳泉市)
]


@dataclass
class Config:
    accounts_path: Path
    area: str = "14"  # where the synthetic households go
    households: int = 1_000_000
    seed: int = 1
    counties: list[str] = field(default_factory=lambda: list(COUNTIES))
    townships_per_county: int = 2
    villages_per_township: int = 5
    min_village_households: int = 20
    # cases per load township at each step of the identification procedure; the township queue gets the
    # most, since the township users approve from it during the run
    cases: dict[str, int] = field(
        default_factory=lambda: {
            "verification": 4, "appraisal": 4, "notice": 4, "township": 50, "county": 6, "approved": 4,
        }
    )  # fmt: skip
    api_readers: int = 40
    rollup_months: int = 2
    password: str = "Load@2026pass"


def _last_month() -> tuple[int, int]:
    today = date.today()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def step_divisions(c: Config) -> str:
    from fanpin.divisions.models import Division
    from fanpin.divisions.services.load import divisions_load_shanxi

    if Division.objects.filter(level=5).count() >= 21895:
        return "Shanxi divisions present"
    return f"{divisions_load_shanxi(actor=ACTOR).created} divisions"


def step_synth(c: Config) -> str:
    """`fanpin synth`: into an empty registry on PostgreSQL this is the fresh load (keys and indexes
    built once at the end, ~110 s for 1M households)."""
    from fanpin.registry.models import Household
    from fanpin.registry.services.synth import households_synthesize

    n = Household.objects.count()
    if n >= c.households * 0.99:
        return f"{n:,} households present"
    if n:
        raise SystemExit(f"{n:,} households present, fewer than {c.households:,}: drop the database first")
    r = households_synthesize(actor=ACTOR, households=c.households, seed=c.seed, area_code=c.area)
    return f"{r.households:,} households, {r.members:,} people, {r.incomes:,} income rows"


def step_demo(c: Config) -> str:
    """The demo's data for 平定县 (policy settings, its monitoring run, cases, plans and visits, ledgers,
    a quality run, rollups) and the demo accounts, on top of the synthetic households."""
    from fanpin.core.demo import demo_prepare

    return "；".join(demo_prepare())


def step_monitoring(c: Config) -> str:
    """Last month's monitoring run over the whole area (its last step computes that month's rollups)."""
    from fanpin.core.jobs import job_run_now
    from fanpin.monitoring.models import MonitoringRun, PolicySetting
    from fanpin.monitoring.services.policy import policy_setting_create
    from fanpin.monitoring.services.runs import monitoring_run_request

    year, month = _last_month()
    if MonitoringRun.objects.filter(area_code=c.area, year=year, month=month, status="done").exists():
        return f"{year}-{month:02d} run of {c.area} present"
    for y in {year - 1, year}:  # the demo's stand-in setting where a year has none (the demo step makes it)
        if not PolicySetting.objects.filter(province_code=c.area[:2], year=y).exists():
            policy_setting_create(
                actor=ACTOR, province_code=c.area[:2], year=y, threshold="7100", effective_from=date(y, 1, 1),
                source="负载测试：沿用山西省 2023 年监测范围 7,100 元",
            )  # fmt: skip
    run, job = monitoring_run_request(actor=ACTOR, area_code=c.area, year=year, month=month)
    job = job_run_now(job)
    run.refresh_from_db()
    return f"{year}-{month:02d} {run.status}: {run.counts}"


# --- the areas the load users work in ------------------------------------------------------------------


def load_areas(c: Config) -> dict[str, dict[str, list[str]]]:
    """{county: {township: [villages]}}: the first townships (by code) of each county that have enough
    villages with households, and their first villages."""
    from django.db.models import Count

    from fanpin.registry.models import Household

    out: dict[str, dict[str, list[str]]] = {}
    for county in c.counties:
        rows = (
            Household.objects.filter(county_code=county)
            .values("township_code", "village_id")
            .annotate(n=Count("id"))
            .filter(n__gte=c.min_village_households)
            .order_by("township_code", "village_id")
        )
        townships: dict[str, list[str]] = {}
        for row in rows:
            townships.setdefault(row["township_code"], []).append(row["village_id"])
        chosen = {
            t: v[: c.villages_per_township] for t, v in townships.items() if len(v) >= c.villages_per_township
        }
        if chosen:
            out[county] = dict(list(chosen.items())[: c.townships_per_county])
    return out


# --- casework: cases at every step in the load townships ---------------------------------------------------

ORDER = ["verify", "appraise", "close_notice", "review", "approve"]
DONE_BEFORE = {"verification": 0, "appraisal": 1, "notice": 2, "township": 3, "county": 4, "approved": 5}


def step_cases(c: Config) -> str:
    """Tops each load township up to c.cases cases at each step (identification procedure through
    casework's services, documents included), so a rerun before a load run refills the township queue
    the township users approve from. Cases go to households of the load villages that have none."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from fanpin.casework.models import Case
    from fanpin.casework.services.cases import case_act, case_document_add, case_open
    from fanpin.registry.models import Household

    today = timezone.localdate()
    pdf = b"%PDF-1.4\n% load test material\n"
    made = 0
    for townships in load_areas(c).values():
        for township, villages in townships.items():
            busy = set(
                Case.objects.filter(household__township_code=township).values_list("household_id", flat=True)
            )
            free = [
                h
                for h in Household.objects.filter(
                    township_code=township, village_id__in=villages, category=""
                )
                .exclude(head_name="")
                .order_by("code")
                if h.pk not in busy
            ]
            for status, target in c.cases.items():
                have = Case.objects.filter(household__township_code=township, status=status).count()
                for _ in range(max(0, target - have)):
                    if not free:
                        break
                    with transaction.atomic():
                        case = case_open(
                            actor=ACTOR, household=free.pop(0), kind="identification", channel="cadre",
                            on=today - timedelta(days=12), summary="负载测试：农户申请", category="边缘易致贫户",
                            risk_types=["因病"],
                        )  # fmt: skip
                        day = 11
                        for action in ORDER[: DONE_BEFORE[status]]:
                            kind = {"verify": "authorisation", "appraise": "meeting_record"}.get(action)
                            if kind:
                                name = {
                                    "authorisation": "授权承诺书.pdf",
                                    "meeting_record": "民主评议会议记录.pdf",
                                }[kind]
                                case_document_add(
                                    actor=ACTOR, case=case, kind=kind, file=ContentFile(pdf, name=name)
                                )
                            day -= 6 if action == "close_notice" else 1
                            case = case_act(
                                actor=ACTOR, case=case, action=action, on=today - timedelta(days=day),
                                reason="负载测试：按程序办理",
                            )  # fmt: skip
                    made += 1
    return f"{made} cases created; {Case.objects.count():,} cases in all"


# --- assistance: plans and visits for every monitored household of the province ---------------------------


def step_assistance(c: Config) -> str:
    """Every monitored household without measures gets a plan by the demo's rules (one unit per city,
    bulk, like bench/assistance_bench.py) and visits: 7 in 10 this month, 9 in 10 in each of the two
    months before."""
    from django.db import transaction

    from fanpin.assistance import selectors
    from fanpin.assistance.demo import FINDINGS, UNIT_FOR, _plan
    from fanpin.assistance.models import Measure, ResponsiblePerson, ResponsibleUnit, Visit
    from fanpin.divisions.models import Division
    from fanpin.registry.models import Household

    today = date.today()
    todo = list(
        Household.objects.filter(selectors.MONITORED, village__code__startswith=c.area)
        .filter(measures__isnull=True)
        .only(*selectors.FACT_FIELDS)
        .order_by("id")
    )
    if not todo:
        return "every monitored household has measures"
    units: dict[tuple[str, str], tuple] = {}
    for city in Division.objects.filter(level=2, code__startswith="14").order_by("code"):
        for name in sorted(set(UNIT_FOR.values())):
            unit, _ = ResponsibleUnit.objects.get_or_create(
                area_code=city.code,
                name=f"{city.name}{name.removeprefix('平定县')}",
                defaults={"kind": "市直部门"},
            )
            person, _ = ResponsiblePerson.objects.get_or_create(unit=unit, name=f"{city.name[:2]}责任人")
            units[(city.code, name)] = (unit, person)
    months = []
    y, m = today.year, today.month
    for _ in range(3):
        months.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    measures = visits = 0
    for start in range(0, len(todo), 20000):
        chunk = todo[start : start + 20000]
        facts = selectors.households_facts(chunk, today)
        m_rows, links, v_rows = [], [], []
        for i, h in enumerate(chunk, start=start):
            mode = "none" if i % 12 == 0 else "inconsistent" if i % 12 == 5 else "consistent"
            for category, item, amount in [] if mode == "none" else _plan(facts[h.pk], mode):
                unit, person = units[(h.village_id[:4], UNIT_FOR[category])]
                m_rows.append(
                    Measure(
                        household=h,
                        category=category,
                        item=item,
                        amount=amount,
                        start=date(2021, 7, 1),
                        unit=unit,
                    )
                )
                links.append(person)
            for k, first in enumerate(months):
                if (i * 7 + k) % 10 < (7 if k == 0 else 9):
                    day = (
                        first.replace(day=1 + (i % 20)) if k else min(first.replace(day=1 + (i % 20)), today)
                    )
                    v_rows.append(
                        Visit(
                            household=h,
                            visited_on=day,
                            visitors="驻村工作队",
                            findings=FINDINGS[i % len(FINDINGS)],
                        )
                    )
        with transaction.atomic():
            Measure.objects.bulk_create(m_rows, batch_size=5000)
            Measure.persons.through.objects.bulk_create(
                [
                    Measure.persons.through(measure_id=m.pk, responsibleperson_id=p.pk)
                    for m, p in zip(m_rows, links, strict=True)
                ],
                batch_size=5000,
            )
            Visit.objects.bulk_create(v_rows, batch_size=5000)
        measures += len(m_rows)
        visits += len(v_rows)
    return f"{len(todo):,} monitored households: {measures:,} measures, {visits:,} visits"


# --- quality: one registry run per load county and per load township ------------------------------------------------------------


def step_quality(c: Config) -> str:
    from fanpin.core.jobs import job_run_now
    from fanpin.quality.choices import RunSource, RunStatus
    from fanpin.quality.models import QualityRun
    from fanpin.quality.services.runs import quality_run_request

    done = []
    areas = [a for county, townships in load_areas(c).items() for a in (county, *townships)]
    for area in areas:  # a county's run is not visible to its townships: each township gets its own
        if QualityRun.objects.filter(
            source=RunSource.REGISTRY, area_code=area, status=RunStatus.DONE
        ).exists():
            continue
        run, job = quality_run_request(actor=ACTOR, area_code=area)
        job_run_now(job)
        run.refresh_from_db()
        done.append(f"{area} {run.status} ({run.counts.get('errors', 0)} errors)")
    return "quality runs: " + ("; ".join(done) or "present")


# --- reports: indicator rollups for the last months ------------------------------------------------------


def step_rollups(c: Config) -> str:
    """The area's rollups for the last c.rollup_months months, always recomputed (a rollup replaces the
    months it covers): the cases and measures above came after the monitoring run's rollup, and the demo's
    平定县 rollups leave partial province rows for the earlier months."""
    from fanpin.reports.services.rollup import last_months, rollup_compute

    counts = rollup_compute(actor=ACTOR, area_code=c.area, months=last_months(c.rollup_months))
    return f"{counts}"


# --- accounts -------------------------------------------------------------------------------------------


def step_accounts(c: Config) -> str:
    """A village user per load village, a township user per load township, a county user per load county,
    c.api_readers county/township users with API tokens; all with c.password. Writes c.accounts_path
    for the locustfile."""
    import json

    from rest_framework.authtoken.models import Token

    from fanpin.accounts.models import User
    from fanpin.accounts.services.users import user_create

    areas = load_areas(c)
    wanted: list[tuple[str, str, str]] = []  # (username, role, area)
    for county, townships in areas.items():
        wanted.append((f"load_c_{county}", "county", county))
        for township, villages in townships.items():
            wanted.append((f"load_t_{township}", "township", township))
            wanted += [(f"load_v_{v}", "village", v) for v in villages]
    api_areas = [a for county, townships in areas.items() for a in (county, *townships)]
    for i in range(c.api_readers):
        area = api_areas[i % len(api_areas)]
        wanted.append((f"load_api_{i:02d}", "county" if len(area) == 6 else "township", area))
    existing = set(User.objects.filter(username__startswith="load_").values_list("username", flat=True))
    created = 0
    for username, role, area in wanted:
        if username not in existing:  # the service hashes the password (PBKDF2, ~0.3 s an account), once
            user_create(
                actor=ACTOR, username=username, password=c.password, role=role, area_code=area,
                display_name=f"负载测试 {area}", check_password=False,
            )  # fmt: skip
            created += 1
    accounts: dict = {"password": c.password, "village": [], "township": [], "county": [], "api": []}
    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    for username, role, area in wanted:
        entry = {"username": username, "area": area}
        if username.startswith("load_api_"):
            entry["token"] = Token.objects.get_or_create(user=users[username])[0].key
            accounts["api"].append(entry)
        else:
            accounts[role].append(entry)
    c.accounts_path.parent.mkdir(parents=True, exist_ok=True)
    c.accounts_path.write_text(json.dumps(accounts, ensure_ascii=False, indent=1), encoding="utf-8")
    return f"{created} accounts created, {len(wanted)} in {c.accounts_path}"


def step_analyze(c: Config) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "not PostgreSQL"
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return "ANALYZE done"


STEPS = [
    ("divisions", step_divisions),
    ("synth", step_synth),
    ("demo", step_demo),
    ("monitoring", step_monitoring),
    ("cases", step_cases),
    ("assistance", step_assistance),
    ("quality", step_quality),
    ("rollups", step_rollups),
    ("accounts", step_accounts),
    ("analyze", step_analyze),
]

"""数据质量校验: run every rule over the registry of an area or over an uploaded national-format file
(read and checked, never imported), store the findings and score villages and townships."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.masking import mask_cell
from fanpin.core.models import Job
from fanpin.core.permissions import check_permission
from fanpin.core.scope import HOUSEHOLD_CODE_FIELDS
from fanpin.core.services.audit import audit_record
from fanpin.divisions.models import Division
from fanpin.matching.engine.quality import BY_CODE, QualityParams, long_findings, quality_flags
from fanpin.matching.engines import ENGINES, connect
from fanpin.monitoring.models import PolicySetting
from fanpin.quality.choices import FORMAT_CODE, WARNING_WEIGHT, ExemptionStatus, Level, RunSource, RunStatus
from fanpin.quality.extract import registry_tables, stage_upload, with_income
from fanpin.quality.models import AreaScore, Exemption, Finding, QualityRun
from fanpin.registry.models import Household

ALLOWED_SUFFIXES = (".xlsx", ".csv")
YUAN_PARAMS = ("per_capita_max", "monthly_wage_max", "monthly_wage_min", "income_tolerance")
INT_PARAMS = (
    "compulsory_age_min",
    "compulsory_age_max",
    "labour_age_min",
    "labour_age_max",
    "senior_age",
    "welfare_job_age_min",
    "welfare_job_age_max",
    "welfare_job_age_limit",
    "elimination_min_months",
    "measure_due_days",
    "grade_age_tolerance",
    "parent_child_age_gap",
)


def quality_params(setting: PolicySetting) -> QualityParams:
    """The rule parameters of a policy setting; a setting made before these parameters existed uses
    the defaults of monitoring.choices.DEFAULT_PARAMS (which is what a new setting gets)."""
    from fanpin.monitoring.choices import DEFAULT_PARAMS

    p = {**DEFAULT_PARAMS, **setting.params}
    values: dict[str, int] = {"threshold": int(setting.threshold * 100)}
    for key in INT_PARAMS:
        values[key] = int(Decimal(str(p[key])))
    for key in YUAN_PARAMS:
        values[key] = int(Decimal(str(p[key])) * 100)
    return QualityParams(**values)


def _policy_for(area_code: str, as_of: date) -> tuple[PolicySetting, str]:
    """The setting in force on `as_of` for its year, else the latest earlier year's (and a note)."""
    province = area_code[:2]
    found = (
        PolicySetting.objects.filter(province_code=province, year__lte=as_of.year, effective_from__lte=as_of)
        .order_by("-year", "-version")
        .first()
    )
    if found is None:
        raise ApplicationError(
            f"尚未设置 {as_of.year} 年的监测范围（省代码 {province}）。请先在“政策设置”中填写监测范围和规则参数。"
        )
    note = (
        ""
        if found.year == as_of.year
        else f"{as_of.year} 年尚无政策设置，沿用 {found.year} 年第 {found.version} 版。"
    )
    return found, note


def quality_folder() -> Path:
    folder = Path(settings.FANPIN_HOME) / "quality" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@transaction.atomic
def quality_run_request(
    *,
    actor: Any,
    area_code: str,
    source: str = RunSource.REGISTRY,
    upload: Path | None = None,
    file_name: str = "",
    as_of: date | None = None,
    engine: str = "duckdb",
) -> tuple[QualityRun, Job]:
    """Queue a check of the registry of `area_code`, or of an uploaded file (saved at `upload`) whose
    places are looked up within `area_code`."""
    check_permission(actor, Permission.EDIT, area_code)
    if engine not in ENGINES:
        raise ApplicationError(f"计算引擎应为 {' 或 '.join(ENGINES)}。")
    if not Division.objects.filter(code=area_code).exists():
        raise ApplicationError(f"区划代码“{area_code}”不存在。")
    as_of = as_of or date.today()
    policy, note = _policy_for(area_code, as_of)
    target = ""
    if source == RunSource.UPLOAD:
        suffix = Path(file_name).suffix.lower()
        if upload is None or suffix not in ALLOWED_SUFFIXES:
            raise ApplicationError(
                f"文件“{file_name}”的格式不支持：请上传国家系统导出的 .xlsx 或 .csv 文件。"
            )
        target = str(quality_folder() / f"source{suffix}")
        shutil.copyfile(upload, target)
    elif source != RunSource.REGISTRY:
        raise ApplicationError("数据来源应为系统内农户档案或上传文件。")
    busy = QualityRun.objects.filter(
        source=RunSource.REGISTRY, area_code=area_code, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    if source == RunSource.REGISTRY and busy.exists():
        raise ApplicationError("该区划的数据质量校验正在进行，请等待完成后再运行。")
    run = QualityRun.objects.create(
        source=source,
        area_code=area_code,
        file_name=file_name,
        file_path=target,
        as_of=as_of,
        engine=engine,
        policy=policy,
        message=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="quality.request", obj=run, area_code=area_code, note=file_name)
    job = job_enqueue(
        kind="quality.run",
        title=f"数据质量校验 {file_name or area_code}",
        params={"run": run.pk},
        actor=actor,
        area_code=area_code,
    )
    return run, job


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def quality_run_execute(*, run: QualityRun, on_progress: Callable[[int, int], None] | None = None) -> dict:
    import ibis

    from fanpin.matching.engine.income import window_income

    updated = QualityRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING)
    if not updated:
        raise ApplicationError("该校验已运行过或正在运行。")
    report = on_progress or (lambda d, t: None)
    scale = {"total": 4}  # steps; an upload counts its rows while they are read (the first half)

    def progress(step: int, steps: int) -> None:
        report(step * scale["total"] // steps, scale["total"])

    def parse_progress(done: int, total: int) -> None:
        scale["total"] = max(4, 2 * total)
        report(done, scale["total"])

    params = quality_params(run.policy)
    con = connect(run.engine)
    progress(0, 4)
    names: dict[int, str] = {}
    issues: list = []
    if run.source == RunSource.REGISTRY:
        year, month = _previous_month(run.as_of)
        tables = registry_tables(run.area_code, first_year=year - 2, as_of=run.as_of)
        window = con.to_pyarrow(
            window_income(ibis.memtable(tables["incomes"]), end_year=year, end_month=month)
        )
        households = with_income(tables["households"], window)
        members, measures = tables["members"], tables["measures"]
        field = HOUSEHOLD_CODE_FIELDS[len(run.area_code)]
        info = {
            hid: (code, hid, village)
            for hid, code, village in Household.objects.filter(**{field: run.area_code}).values_list(
                "id", "code", "village_id"
            )
        }
        links = {hid: hid for hid in info}
    else:
        staged = stage_upload(
            path=run.file_path,
            file_name=run.file_name,
            area_code=run.area_code,
            today=run.as_of,
            on_progress=parse_progress,
        )
        households, members, measures = staged.households, staged.members, staged.measures
        info = {hid: (code, row, village) for hid, (code, row, village) in staged.codes.items()}
        names = staged.names
        issues = staged.issues
        by_code = dict(
            Household.objects.filter(code__in=[c for c, _r, _v in info.values()]).values_list("code", "id")
        )
        links = {hid: by_code.get(code) for hid, (code, _r, _v) in info.items()}
    progress(2 if run.source == RunSource.UPLOAD else 1, 4)
    member_flags, household_flags = quality_flags(
        households=ibis.memtable(households),
        members=ibis.memtable(members),
        measures=ibis.memtable(measures),
        params=params,
        as_of=run.as_of,
    )
    found = long_findings(con.to_pyarrow(member_flags), con.to_pyarrow(household_flags)).to_pylist()
    progress(3, 4)
    if run.source == RunSource.REGISTRY and found:
        member_ids = {f["member_id"] for f in found if f["member_id"] is not None}
        from fanpin.registry.models import Member

        for start in range(0, len(member_ids), 5000):
            chunk = list(member_ids)[start : start + 5000]
            names.update(Member.objects.filter(pk__in=chunk).values_list("id", "name"))
    exempt = set(
        Exemption.objects.filter(
            status=ExemptionStatus.APPROVED, village_code__startswith=run.area_code
        ).values_list("household_id", "code")
    )
    findings = []
    cells = set()
    for f in found:
        rule = BY_CODE[f["code"]]
        code, first_row, village = info[f["household_id"]]
        link = links.get(f["household_id"])
        row = f["row"] if f["row"] is not None else (first_row if run.source == RunSource.UPLOAD else None)
        for header in rule.fields:
            cells.add((row, header))
        findings.append(
            Finding(
                run=run,
                household_id=link,
                household_code=code,
                village_code=village or "",
                township_code=(village or "")[:9],
                code=rule.code,
                level=rule.level,
                message=rule.message,
                fields=list(rule.fields),
                row=row,
                member_id=f["member_id"] if run.source == RunSource.REGISTRY else None,
                member_name=names.get(f["member_id"], "") if f["member_id"] is not None else "",
                exempted=(link, rule.code) in exempt,
            )
        )
    villages_by_code = {code: village for code, _row, village in info.values()}
    links_by_code = {code: links.get(hid) for hid, (code, _r, _v) in info.items()}
    for issue in issues:
        if (issue.row, issue.column) in cells or issue.row is None:
            continue
        village = villages_by_code.get(issue.household_code) or ""
        findings.append(
            Finding(
                run=run,
                household_id=links_by_code.get(issue.household_code),
                household_code=issue.household_code,
                village_code=village,
                township_code=village[:9],
                code=FORMAT_CODE,
                level=issue.level,
                message=issue.message[:500],
                fields=[issue.column] if issue.column else [],
                row=issue.row,
                value=mask_cell(issue.value, issue.column)[:200],
            )
        )
    households_per_village: dict[str, int] = {}
    for _code, _row, village in info.values():
        households_per_village[village or ""] = households_per_village.get(village or "", 0) + 1
    with transaction.atomic():
        Finding.objects.filter(run=run).delete()
        Finding.objects.bulk_create(findings, batch_size=5000)
        counts = _score(run, households_per_village)
        counts.update(
            people=members.num_rows,
            rules=len(BY_CODE),
        )
        QualityRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, counts=counts, score=counts["score"], finished_at=timezone.now()
        )
        audit_record(
            actor=run.created_by or "系统",
            action="quality.run",
            obj=run,
            area_code=run.area_code,
            after=counts,
        )
    _discard_upload(run)
    progress(4, 4)
    return counts


def _discard_upload(run: QualityRun) -> None:
    """The uploaded file holds personal data and is not needed once its findings are stored."""
    if run.source == RunSource.UPLOAD and run.file_path:
        folder = Path(run.file_path).parent
        if folder.parent.name == "quality":  # only the run's own folder made by quality_folder()
            shutil.rmtree(folder, ignore_errors=True)


def score_of(households: int, error_households: int, warning_households: int) -> Decimal:
    """质量得分 = 100 × (1 − (有错误的户 + 0.2 × 仅有提示的户) ÷ 户数), one decimal, half up; 100 for no
    households."""
    if households <= 0:
        return Decimal("100.0")
    bad = Decimal(error_households) + Decimal(WARNING_WEIGHT) * warning_households
    return (Decimal(100) * (1 - bad / households)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _score(run: QualityRun, households_per_village: dict[str, int]) -> dict:
    """Village and township scores of `run` from its stored findings (exempted ones left out)."""
    status: dict[str, tuple[str, str]] = {}  # household code → (village, worst level)
    errors: dict[str, int] = {}
    warnings: dict[str, int] = {}
    exempted: dict[str, int] = {}
    for household_code, village, level, is_exempt in Finding.objects.filter(run=run).values_list(
        "household_code", "village_code", "level", "exempted"
    ):
        if is_exempt:
            exempted[village] = exempted.get(village, 0) + 1
            continue
        if level == Level.ERROR:
            errors[village] = errors.get(village, 0) + 1
        else:
            warnings[village] = warnings.get(village, 0) + 1
        if not household_code:  # a file row without 户编号: a finding, but no household to score
            continue
        old = status.get(household_code)
        if old is None or (old[1] == Level.WARNING and level == Level.ERROR):
            status[household_code] = (village, level)
    per: dict[
        str, list[int]
    ] = {}  # code → [households, error households, warning households, errors, warnings, exempted]
    for village, n in households_per_village.items():
        for code in {village, village[:9]} if village else {""}:
            acc = per.setdefault(code, [0, 0, 0, 0, 0, 0])
            acc[0] += n
            acc[3] += errors.get(village, 0)
            acc[4] += warnings.get(village, 0)
            acc[5] += exempted.get(village, 0)
    for village, level in status.values():
        for code in {village, village[:9]} if village else {""}:
            acc = per.setdefault(code, [0, 0, 0, 0, 0, 0])
            acc[1 if level == Level.ERROR else 2] += 1
    names = dict(Division.objects.filter(code__in=[c for c in per if c]).values_list("code", "name"))
    AreaScore.objects.filter(run=run).delete()
    AreaScore.objects.bulk_create(
        [
            AreaScore(
                run=run,
                code=code,
                level=4 if len(code) == 9 else 5,
                name=names.get(code, "（文件中的村未能识别）" if not code else code),
                households=acc[0],
                error_households=acc[1],
                warning_households=acc[2],
                errors=acc[3],
                warnings=acc[4],
                exempted=acc[5],
                score=score_of(acc[0], acc[1], acc[2]),
            )
            for code, acc in sorted(per.items())
        ],
        batch_size=2000,
    )
    total = sum(households_per_village.values())
    error_households = sum(1 for _v, level in status.values() if level == Level.ERROR)
    warning_households = len(status) - error_households
    return {
        "households": total,
        "error_households": error_households,
        "warning_households": warning_households,
        "errors": sum(errors.values()),
        "warnings": sum(warnings.values()),
        "exempted": sum(exempted.values()),
        "score": str(score_of(total, error_households, warning_households)),
    }


def quality_rescore(*, run: QualityRun) -> dict:
    """Re-apply approved exemptions to a finished run's findings and recompute its scores."""
    exempt = set(
        Exemption.objects.filter(
            status=ExemptionStatus.APPROVED, village_code__startswith=run.area_code
        ).values_list("household_id", "code")
    )
    with transaction.atomic():
        for pk, hid, code, was in Finding.objects.filter(run=run, household__isnull=False).values_list(
            "id", "household_id", "code", "exempted"
        ):
            now = (hid, code) in exempt
            if now != was:
                Finding.objects.filter(pk=pk).update(exempted=now)
        households = dict(AreaScore.objects.filter(run=run, level=5).values_list("code", "households")) or {
            "": run.counts.get("households", 0)
        }
        counts = {**run.counts, **_score(run, households)}
        QualityRun.objects.filter(pk=run.pk).update(counts=counts, score=counts["score"])
    run.refresh_from_db()
    return counts


def quality_run_fail(*, run: QualityRun, message: str) -> None:
    QualityRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=message[:2000])
    _discard_upload(run)

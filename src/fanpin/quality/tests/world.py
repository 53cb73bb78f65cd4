"""A small registry built through the registry's own services: two villages of 平定县 岔口乡, one clean
monitored household and one full of contradictions in 秋林庄村, one clean ordinary household in the
other village. Quality runs are checked as of 2026-01-15, so the income window is the year 2025."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fanpin.core.jobs import job_enqueue, job_run_now
from fanpin.divisions.models import Division
from fanpin.quality.models import QualityRun
from fanpin.quality.services.runs import quality_run_request
from fanpin.quality.tests.cases import clean, person
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_create, income_record_set, member_add

AS_OF = date(2026, 1, 15)
VILLAGE_A = "140321201249"  # 秋林庄村
MEMBER_KEYS = {
    "name",
    "id_type",
    "id_number",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "school_status",
    "not_in_school_reason",
    "health",
    "labour_skill",
    "work_place",
    "welfare_job",
    "dibao",
    "tekun",
    "resident_medical",
    "employee_medical",
    "critical_illness",
    "phone",
}
HOUSEHOLD_KEYS = {
    "household_type",
    "whole_no_labour",
    "category",
    "identified_month",
    "risk_types",
    "risk_eliminated",
    "elimination_method",
    "eliminated_month",
    "house_grade",
    "house_dangerous",
    "water_secured",
    "dropout",
    "member_uninsured",
    "house_damaged_after",
    "water_damaged_after",
    "phone",
    "collector",
    "collector_phone",
}


def village_b() -> str:
    return (
        Division.objects.filter(level=5, code__startswith="140321201")
        .exclude(code=VILLAGE_A)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def add_household(
    code: str, village: str, household: dict, members: list[dict], measures: list[str], income: dict
):
    fields = {k: v for k, v in household.items() if k in HOUSEHOLD_KEYS}
    fields["measures_recorded"] = {m: "已落实" for m in measures}
    h = household_create(actor="测试", code=code, village_code=village, **fields)
    # The head first: the registry wants one head per household.
    for m in sorted(members, key=lambda m: m["relation"] != "户主"):
        member_add(actor="测试", household=h, **{k: v for k, v in m.items() if k in MEMBER_KEYS})
    income_record_set(
        actor="测试", household=h, year=2025, month=1, months=12, **{k: Decimal(v) for k, v in income.items()}
    )
    return Household.objects.get(pk=h.pk)


CLEAN_INCOME = {"wage": "10000", "transfer": "2000", "out_of_pocket": "5000"}


def build_world() -> dict[str, Household]:
    household, members, measures = clean()
    a1 = add_household("1403212012490101", VILLAGE_A, household, members, measures, CLEAN_INCOME)
    # A2: 脱贫不稳定户 recorded as 一般农户 (MO01), a 10-year-old out of school with no reason (ED01, and
    # the household flag not set: ED08), no household phone (CT01).
    household, members, measures = clean()
    household.update(household_type="一般农户", phone="")
    members = [
        person("户主", date(1975, 2, 2), "男", health="患大病"),
        person("之子", date(2015, 3, 3), "男", labour_skill="", education="小学"),
    ]
    a2 = add_household("1403212012490102", VILLAGE_A, household, members, measures, CLEAN_INCOME)
    # B1: an ordinary household above the range, not monitored.
    household, members, _measures = clean()
    household.update(household_type="一般农户", category="", identified_month="", risk_types="")
    members[0]["health"] = "健康"
    b1 = add_household("1403212011990103", village_b(), household, members, [], {"wage": "60000"})
    return {"a1": a1, "a2": a2, "b1": b1}


def run_registry(actor, area: str = "140321") -> QualityRun:
    run, job = quality_run_request(actor=actor, area_code=area, as_of=AS_OF)
    job_run_now(job)
    return QualityRun.objects.get(pk=run.pk)


def export_file(area: str = "140321") -> str:
    job = job_enqueue(kind="registry.export_national", title="导出", params={"area": area, "year": 2025})
    job = job_run_now(job)
    assert job.status == "succeeded", job.error
    return job.result["path"]

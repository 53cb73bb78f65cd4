"""Build small village worlds for the monitoring tests through the registry services, as a village
cadre would enter them: a household, its members (insured, able to work unless told otherwise) and
its monthly income records."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from fanpin.core.jobs import job_run_now
from fanpin.monitoring.models import MonitoringRun
from fanpin.monitoring.services.policy import policy_setting_create
from fanpin.monitoring.services.runs import monitoring_run_request
from fanpin.registry import idnumber
from fanpin.registry.models import Household
from fanpin.registry.services.households import household_create, income_record_set, member_add

QLZ = "140321201249"  # 平定县 岔口乡 秋林庄村 (the village user's village)
CHAKOU = "140321201204"  # 岔口村, same township
GUANSHAN = "140321100011"  # 冠山镇, same county, other township
YUXIAN = "140322100101"  # 盂县, another county
PINGDING = "140321"

ADULT = date(1975, 4, 12)
_sequence = itertools.count(1)


def policy_2025(threshold: str = "7100"):
    return policy_setting_create(
        actor="测试", province_code="14", year=2025, threshold=threshold, effective_from=date(2025, 1, 1)
    )


def person(household: Household, *, relation: str = "", birth: date = ADULT, **fields):
    """A member: health 健康, 普通劳动力 and in 城乡居民医保 unless the test says otherwise."""
    n = next(_sequence)
    fields.setdefault("name", f"成员{n}")
    fields.setdefault("resident_medical", True)
    fields.setdefault("labour_skill", "普通劳动力" if birth.year < 2005 else "")
    return member_add(
        actor="测试",
        household=household,
        id_number=idnumber.make("140321", birth, n % 1000),
        relation=relation,
        **fields,
    )


def household(
    code: str,
    *,
    village: str = QLZ,
    household_type: str = "一般农户",
    head: str | None = None,
    adults: int = 2,
    monthly: dict | None = None,
    months: list[tuple[int, int]] | None = None,
    **fields,
) -> Household:
    """A household with `adults` working-age members (the first is 户主, named `head`) and the same
    monthly income record `monthly` for each (year, month) of `months` (default 2025-01 … 2025-12)."""
    h = household_create(
        actor="测试", code=code, village_code=village, household_type=household_type, **fields
    )
    for i in range(adults):
        person(h, relation="户主" if i == 0 else "配偶", **({"name": head} if i == 0 and head else {}))
    if monthly is not None:
        for year, month in months or [(2025, m) for m in range(1, 13)]:
            income(h, year, month, **monthly)
    return h


def income(h: Household, year: int, month: int, months: int = 1, **components):
    return income_record_set(
        actor="测试",
        household=h,
        year=year,
        month=month,
        months=months,
        **{k: Decimal(str(v)) for k, v in components.items()},
    )


def run_month(actor, *, area: str = PINGDING, year: int = 2025, month: int = 12):
    """Request a run and execute its job in this process; the run as saved and the finished job."""
    run, job = monitoring_run_request(actor=actor, area_code=area, year=year, month=month)
    job = job_run_now(job)
    return MonitoringRun.objects.get(pk=run.pk), job

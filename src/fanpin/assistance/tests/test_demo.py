"""The demo step on synthetic 平定县 households: plans for the monitored ones, some deliberately
inconsistent or without any measure, most visited this month; running it again creates nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from fanpin.assistance.demo import demo_assistance
from fanpin.assistance.models import Measure, ResponsiblePerson, ResponsibleUnit, Visit
from fanpin.assistance.selectors import MONITORED, coverage_total, inconsistent_households, visit_coverage
from fanpin.core.models import AuditEvent
from fanpin.registry.models import Household
from fanpin.registry.services.synth import households_synthesize

pytestmark = pytest.mark.django_db


def test_demo_step_is_realistic_and_idempotent(make_user):
    households_synthesize(actor="测试", households=1500, seed=2026, area_code="140321", end="202510")
    monitored = Household.objects.filter(MONITORED, county_code="140321").count()
    assert monitored >= 24, "the synthetic county needs monitored households for this test"

    summary = demo_assistance()
    assert f"监测户 {monitored} 户" in summary
    counts = (
        ResponsibleUnit.objects.count(),
        ResponsiblePerson.objects.count(),
        Measure.objects.count(),
        Visit.objects.count(),
    )
    assert counts[0] == 8 and counts[2] > monitored // 2
    # One audit event per measure and per visit, under the household, so they show in its history.
    assert AuditEvent.objects.filter(action="assistance.measure_add").count() == counts[2]
    assert AuditEvent.objects.filter(action="assistance.visit_record").count() == counts[3]

    county = make_user("county", "140321")
    failing = inconsistent_households(user=county)
    rules = Counter(p.rule for f in failing for p in f.problems)
    assert rules["NO_MEASURE"] == len(range(0, monitored, 12))  # every 12th household, by code
    assert rules["LABOUR_DEVELOPMENT"] + rules["NO_LABOUR_PROTECTION"] == len(range(5, monitored, 12))
    today = date.today()
    total = coverage_total(visit_coverage(user=county, year=today.year, month=today.month))
    assert total.monitored == monitored and 0 < total.visited < monitored

    assert demo_assistance() == "平定县帮扶演示数据已存在，未新增"
    assert (
        ResponsibleUnit.objects.count(),
        ResponsiblePerson.objects.count(),
        Measure.objects.count(),
        Visit.objects.count(),
    ) == counts

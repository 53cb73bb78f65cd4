"""监测政策设置 as the province office keeps them: each change a new version with its own effective
date, the one in force on a day, values checked with Chinese messages, audited, province role only,
and the published Shanxi ranges (2021: 6,000; 2023: 7,100) present from the start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent
from fanpin.monitoring.models import PolicySetting
from fanpin.monitoring.services.policy import policy_in_force, policy_setting_create, rule_params

pytestmark = pytest.mark.django_db


def create(threshold="7100", *, year=2025, effective_from=date(2025, 1, 1), actor="测试", **kw):
    return policy_setting_create(
        actor=actor, province_code="14", year=year, threshold=threshold, effective_from=effective_from, **kw
    )


def refused(**kw) -> str:
    before = PolicySetting.objects.count()
    with pytest.raises(ApplicationError) as info:
        create(**kw)
    assert PolicySetting.objects.count() == before
    return info.value.message


def test_each_change_is_a_new_version():
    first = create("7100")
    second = create("7300", effective_from=date(2025, 7, 1))
    other_year = create("7500", year=2026, effective_from=date(2026, 1, 1))

    assert (first.version, second.version, other_year.version) == (1, 2, 1)
    assert PolicySetting.objects.get(pk=first.pk).threshold == Decimal("7100")  # history kept


def test_the_setting_in_force_follows_the_effective_dates():
    first = create("7100")
    mid_year = create("7300", effective_from=date(2025, 7, 1))

    assert policy_in_force(province_code="14", year=2025, on=date(2025, 6, 30)) == first
    assert policy_in_force(province_code="14", year=2025, on=date(2025, 7, 1)) == mid_year
    assert policy_in_force(province_code="14", year=2025, on=date(2025, 12, 1)) == mid_year


def test_a_correction_with_the_same_effective_date_replaces_the_earlier_version():
    create("7100")
    corrected = create("7150")

    assert policy_in_force(province_code="14", year=2025, on=date(2025, 3, 1)) == corrected


def test_before_the_first_effective_date_there_is_no_setting_in_force():
    create("7100", effective_from=date(2025, 3, 1))

    with pytest.raises(ApplicationError) as info:
        policy_in_force(province_code="14", year=2025, on=date(2025, 2, 28))

    assert "2025 年的监测范围自 2025-03-01 起才生效" in info.value.message


def test_a_later_version_with_an_earlier_date_corrects_the_one_before():
    create("7100", effective_from=date(2025, 3, 1))
    correction = create("7200", effective_from=date(2025, 2, 1))

    assert policy_in_force(province_code="14", year=2025, on=date(2025, 4, 1)) == correction


def test_the_rule_parameters_are_taken_from_the_setting():
    setting = create("7100.50", params={"rural_income": "17000", "oop_share_others": "0.8"})

    params = rule_params(setting)

    assert params.threshold == 710050
    assert params.rural_income == 1_700_000
    assert params.oop_share_others_bp == 8000
    assert params.oop_share_formerly_poor_bp == 5000  # default kept
    assert params.income_drop_bp == 3000


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"threshold": "-7100"}, "不能为负数"),
        ({"threshold": "0"}, "不合理"),
        ({"threshold": "七千一"}, "应为数字"),
        ({"params": {"rural_income": "-1"}}, "“上年农村居民人均可支配收入（元）”不能为负数"),
        ({"params": {"rural_income": "abc"}}, "“上年农村居民人均可支配收入（元）”应为数字"),
        ({"params": {"oop_share_others": "50"}}, "应为比例"),
        ({"params": {"income_drop_share": "5.01"}}, "应为比例"),
        ({"params": {"poverty_line": "4000"}}, "未知的规则参数：poverty_line"),
        ({"year": 2019}, "年度 2019 不合理"),
    ],
)
def test_bad_values_are_refused_in_chinese(kw, expected):
    message = refused(**kw)

    assert expected in message


def test_the_threshold_is_named_in_chinese_when_refused():
    for value in ("-1", "abc"):
        message = refused(threshold=value)
        assert "监测范围" in message
        assert "threshold" not in message


def test_a_share_of_exactly_five_is_still_accepted():
    setting = create(params={"oop_share_others": "5"})
    assert setting.params["oop_share_others"] == "5"


def test_setting_a_policy_is_audited(make_user):
    province = make_user("province", "14")

    setting = create("7100", actor=province, source="晋乡振发〔2025〕1 号")

    event = AuditEvent.objects.get(action="policy.set", object_id=str(setting.pk))
    assert event.actor == province
    assert event.area_code == "14"
    assert event.after["threshold"] == "7100"
    assert event.after["year"] == 2025 and event.after["version"] == 1
    assert event.note == "晋乡振发〔2025〕1 号"
    assert setting.created_by == province


@pytest.mark.parametrize(
    ("role", "area"),
    [
        ("county", "140321"),
        ("city", "1403"),
        ("village", "140321201249"),
        ("inspector", "14"),
        ("admin", "14"),
    ],
)
def test_only_the_province_role_may_set_a_policy(make_user, role, area):
    user = make_user(role, area)

    with pytest.raises(PermissionDenied):
        create(actor=user)

    assert not PolicySetting.objects.filter(year=2025).exists()
    assert not AuditEvent.objects.filter(action="policy.set").exists()


def test_a_province_user_cannot_set_another_provinces_policy(make_user):
    province = make_user("province", "14")

    with pytest.raises(PermissionDenied):
        policy_setting_create(
            actor=province, province_code="61", year=2025, threshold="7000", effective_from=date(2025, 1, 1)
        )


def test_the_published_shanxi_ranges_are_there_after_migrating():
    seeded = {
        s.year: s for s in PolicySetting.objects.filter(province_code="14", year__in=[2021, 2023], version=1)
    }

    assert seeded[2021].threshold == Decimal("6000")
    assert seeded[2023].threshold == Decimal("7100")
    assert seeded[2023].effective_from == date(2023, 1, 1)
    assert policy_in_force(province_code="14", year=2023, on=date(2023, 6, 1)) == seeded[2023]
    assert rule_params(seeded[2023]).rural_income == 1_632_300

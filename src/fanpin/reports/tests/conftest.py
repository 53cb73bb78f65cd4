"""A small world of households in 阳泉市 for the report tests."""

from __future__ import annotations

import pytest

from fanpin.monitoring.tests.world import CHAKOU, GUANSHAN, QLZ, YUXIAN, household


@pytest.fixture
def world():
    """Six households in 阳泉市 (sizes are the number of members):
    a 秋林庄村 脱贫户 3 人, 脱贫不稳定户 since 2025-03, 因病|缺劳动力
    b 秋林庄村 一般农户 2 人, 边缘易致贫户 2025-06, risk eliminated 2025-09 (帮扶消除)
    f 秋林庄村 一般农户 2 人, not monitored
    c 岔口村 一般农户 4 人, 突发严重困难户 identified 2025-09, 因意外事故
    d 冠山镇 脱贫户 2 人, not monitored
    e 盂县 一般农户 1 人, 边缘易致贫户 identified 2025-12 (after September)"""
    return {
        "a": household(
            f"{QLZ}A001",
            household_type="脱贫户",
            adults=3,
            category="脱贫不稳定户",
            identified_month="202503",
            risk_types="因病|缺劳动力",
        ),
        "b": household(
            f"{QLZ}B001",
            adults=2,
            category="边缘易致贫户",
            identified_month="202506",
            risk_types="因务工就业不稳",
            risk_eliminated=True,
            elimination_method="帮扶消除",
            eliminated_month="202509",
        ),
        "f": household(f"{QLZ}F001", adults=2),
        "c": household(
            f"{CHAKOU}C001",
            village=CHAKOU,
            adults=4,
            category="突发严重困难户",
            identified_month="202509",
            risk_types="因意外事故",
        ),
        "d": household(f"{GUANSHAN}D001", village=GUANSHAN, household_type="脱贫户", adults=2),
        "e": household(
            f"{YUXIAN}E001",
            village=YUXIAN,
            adults=1,
            category="边缘易致贫户",
            identified_month="202512",
            risk_types="因病",
        ),
    }

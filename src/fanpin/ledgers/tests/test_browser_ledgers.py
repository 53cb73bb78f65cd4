"""The ledgers in a real browser on the real `fanpin demo`: a county clerk on a phone imports the
problem-rectification ledger (a bad file first, then the corrected one) and sees the campaign move."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login
from fanpin.ledgers.tests.files import write_xlsx

pytestmark = pytest.mark.browser

HEADERS = ["区划代码", "问题描述", "问题来源", "发现日期", "责任单位（责任人）", "整改状态", "整改完成日期"]


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_county_clerk_imports_rectification_on_a_phone(new_page, tmp_path):
    page = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    login(page, "demo_county")
    page.goto("/")
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="巩固衔接台账").or_(page.get_by_role("link", name="巩固衔接台账")).click()
    page.get_by_role("link", name="攻坚行动").click()
    page.get_by_role("link", name="平定县巩固衔接百日攻坚").click()
    # the demo: 5 of 6 problems rectified
    expect(page.locator('.progress-card[data-indicator="rectification_rate"] .fs-5')).to_have_text("83.3%")
    _no_horizontal_scroll(page)

    page.goto("/ledgers/")
    page.get_by_role("link", name=re.compile("问题排查整改台账")).click()
    expect(page.locator("h1")).to_have_text("问题排查整改台账")
    total = int(re.search(r"共 (\d+) 条", page.content()).group(1))
    _no_horizontal_scroll(page)
    page.get_by_role("link", name="导入").click()

    last_month_end = date.today().replace(day=1) - timedelta(days=1)
    found = last_month_end.isoformat()
    rows = [
        ["140321201", "低保边缘户未纳入监测", "督查巡查", found, "岔口乡", "已整改", found],
        ["140321201", "帮扶责任人未按月走访", "自查排查", "2026-02-30", "岔口乡", "已整改", found],
    ]
    bad = write_xlsx(tmp_path / "整改-有误.xlsx", HEADERS, rows)
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="上传并检查").click()
    issues = page.locator("#import-issues tbody tr")
    expect(issues).to_have_count(1, timeout=30_000)  # the check job ran (the page polls its status)
    cells = issues.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "发现日期" and "2022-06-30" in cells[3]
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)  # nothing can be written
    _no_horizontal_scroll(page)

    rows[1][3] = found
    good = write_xlsx(tmp_path / "整改.xlsx", HEADERS, rows)
    page.get_by_role("link", name="重新上传").click()
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#import-summary")).to_contain_text("错误 0 处", timeout=30_000)
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#import-done")).to_contain_text("新增 2 条", timeout=30_000)  # the write job ran
    page.locator("#import-done a").click()
    expect(page.locator("h1")).to_have_text("问题排查整改台账")
    assert int(re.search(r"共 (\d+) 条", page.content()).group(1)) == total + 2

    page.goto("/ledgers/campaigns/")
    page.get_by_role("link", name="平定县巩固衔接百日攻坚").click()
    expect(page.locator('.progress-card[data-indicator="rectification_rate"] .fs-5')).to_have_text(
        "87.5%"
    )  # 7 of 8
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-ledgers-campaign-375.png"), full_page=True)

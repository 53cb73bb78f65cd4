"""The registry in a real browser, on the real `fanpin demo` (3,000 synthetic households in 平定县):
a village cadre on a phone, and a county clerk taking the national file out and back in."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_village_cadre_browses_households_on_a_phone(new_page):
    page = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    login(page, "demo_village")
    page.goto("/households/")
    total = int(re.search(r"共 (\d+) 户", page.content()).group(1))
    assert total > 0
    rows = page.locator("#households tbody tr")
    assert rows.count() == min(total, 50)
    # Every household listed lies in the cadre's own village (户编号 starts with the village code).
    codes = rows.locator("td:first-child a").all_inner_texts()
    assert codes and all(code.startswith("140321201249") for code in codes)
    _no_horizontal_scroll(page)

    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text(codes[0])
    expect(page.locator("#members tbody tr").first).to_be_visible()
    # The demo gives 秋林庄村's household heads a 一卡通 account: shown masked (encrypted at rest).
    accounts = [t.strip() for t in page.locator("#members .member-account").all_inner_texts()]
    assert any(re.fullmatch(r"\*{15}\d{4}", t) for t in accounts), accounts
    ids = page.locator("#members .member-id").all_inner_texts()
    assert ids and all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", t.strip()) for t in ids), ids
    expect(page.locator("#income-chart canvas")).to_have_count(1)  # ECharts drew the income chart
    per_capita = page.locator("#per-capita-income").inner_text()
    assert re.fullmatch(r"-?\d+\.\d{2}", per_capita), per_capita
    _no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-household-375.png"), full_page=True)


def test_county_clerk_exports_and_reimports_the_national_file(new_page):
    page = new_page(accept_downloads=True)
    login(page, "demo_county")
    # Export 岔口乡 in the national format (a background job), then download it.
    page.goto("/households/export/")
    page.get_by_label("区划代码").fill("140321201")
    page.get_by_role("button", name="生成导出文件").click()
    expect(page.locator(".job-status")).to_have_text("已完成", timeout=60_000)
    with page.expect_download() as info:
        page.locator("#export-download").click()
    data = info.value.path().read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[2])
    assert rows[0][0] == "（自定义）监测对象信息" and header[:4] == ["县", "乡", "村", "户编号"]
    members = rows[3:]
    households = {r[header.index("户编号")] for r in members}
    assert members and all(r[header.index("乡")] == "岔口乡" for r in members)

    # Import the same file back: it parses without errors and, merged, changes nothing.
    export_path = ARTIFACTS / "browser-export-140321201.xlsx"
    ARTIFACTS.mkdir(exist_ok=True)
    export_path.write_bytes(data)
    page.goto("/households/imports/new/")
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(export_path))
    page.get_by_label("导入范围（区划代码）").fill("140321")
    page.get_by_role("button", name="上传并解析").click()
    expect(page.locator(".import-status")).to_have_text("待确认", timeout=60_000)
    expect(page.locator("#count-households")).to_have_text(str(len(households)))
    expect(page.locator("#count-errors")).to_have_text("0")
    page.get_by_label("全部导入（有任何错误则不导入）").check()
    page.get_by_role("button", name="写入档案").click()
    expect(page.locator(".import-status")).to_have_text("已导入", timeout=60_000)
    expect(page.locator("#import-changes")).to_contain_text(f"未变 {len(households)} 户")

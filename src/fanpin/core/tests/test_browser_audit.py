"""The audit page in a real browser on the real `fanpin demo`, on a phone (375 px): a county officer
reveals a household's personal data; the city inspector finds that reveal by filtering, exports the
filtered events to .xlsx, and finds the export recorded too."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"


def test_inspector_filters_the_audit_log_and_exports_it(new_page, tmp_path):
    reason = "审计测试-入户核实"
    county = new_page()
    login(county, "demo_county")
    county.goto("/households/")
    county.locator("td a").first.click()
    household_code = county.locator("h1").inner_text()
    county.get_by_placeholder("查看事由（如：入户核实）").fill(reason)
    county.get_by_role("button", name="查看完整个人信息（留痕）").click()
    expect(county.locator("#reveal-notice")).to_be_visible()

    page = new_page(**PHONE)
    login(page, "demo_inspector")
    page.goto("/audit/")
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    _fits(page)
    all_rows = page.locator("tr.audit-event").count()
    assert all_rows > 0

    # Filter: kind = 查看完整个人信息, actor = demo_county → the reveal, with its reason.
    page.get_by_label("操作类别").select_option(label="查看完整个人信息")
    page.get_by_label("操作人").fill("demo_county")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"kind=reveal"))
    rows = page.locator("tr.audit-event")
    expect(rows.first).to_contain_text("personal.reveal")
    expect(page.locator("#audit-events")).to_contain_text(reason)
    for text in rows.all_inner_texts():
        assert "reveal" in text and "demo_county" in text
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "browser-audit-375.png"), full_page=True)

    # Another actor: nothing.
    page.get_by_label("操作人").fill("没有这个人")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#audit-events")).to_contain_text("暂无记录")

    # An area outside the inspector's city (太原市小店区): nothing, even with no other filter.
    page.goto("/audit/?area=140105")
    expect(page.locator("#audit-events")).to_contain_text("暂无记录")

    # Export the reveals as .xlsx: the reason is in it, and the export is itself recorded.
    page.goto("/audit/?kind=reveal&actor=demo_county")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 .xlsx").click()
    path = tmp_path / "audit.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["时间", "操作人", "操作"]
    assert rows[1:] and all(r[2].endswith("reveal") for r in rows[1:])
    assert any(reason in (r[8] or "") for r in rows[1:])

    page.goto("/audit/")
    page.get_by_label("操作类别").select_option(label="全量导出")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tr.audit-event").first).to_contain_text("audit.export")
    expect(page.locator("tr.audit-event").first).to_contain_text("demo_inspector")
    expect(page.locator("tr.audit-event").first).to_contain_text("操作类别=reveal")
    assert household_code  # the reveal above was made on a real household page

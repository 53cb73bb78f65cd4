"""Assistance in a real browser on the real `fanpin demo`: a village cadre on a phone (375 px) records
a visit to a monitored household not yet visited this month, and the month's coverage goes up by one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login

pytestmark = pytest.mark.browser

QLZ = "140321201249"


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _coverage(page) -> tuple[int, int, str]:
    page.goto("/assistance/coverage/")
    row = page.locator(f'#coverage tr[data-village="{QLZ}"]')
    expect(row).to_have_count(1)
    return (
        int(row.locator(".monitored").inner_text()),
        int(row.locator(".visited").inner_text()),
        row.locator(".share").inner_text(),
    )


def test_village_cadre_records_a_visit_on_a_phone(new_page):
    page = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    login(page, "demo_village")
    monitored, visited, _ = _coverage(page)
    assert 0 <= visited < monitored, "the demo leaves a household of the demo village unvisited"
    _no_horizontal_scroll(page)

    # The plan list marks who has not been visited this month; open one of them.
    page.goto("/assistance/")
    page.get_by_label("只看本月未走访").check()
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#plans tbody tr")).to_have_count(monitored - visited)
    unvisited = page.locator("#plans tbody tr", has_text="未走访")
    expect(unvisited.first).to_be_visible()
    code = unvisited.first.locator("td:first-child a").inner_text()
    unvisited.first.locator("td:first-child a").click()
    expect(page.locator("h1")).to_contain_text(code)
    _no_horizontal_scroll(page)

    page.get_by_role("link", name="登记走访").click()
    expect(page.locator("h1")).to_have_text("登记入户走访")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.get_by_label("走访日期").input_value())
    assert page.get_by_label("走访人").input_value()  # prefilled with the cadre's name
    _no_horizontal_scroll(page)
    page.get_by_label("走访情况").fill("户主在家，腿伤恢复中；小儿子已到县城务工。")
    page.get_by_label("后续跟进（可选）").fill("月底核实务工收入")
    page.get_by_role("button", name="保存走访记录").click()

    expect(page.get_by_role("alert").filter(has_text="已登记")).to_contain_text("的入户走访")
    expect(page.locator("#visits li").first).to_contain_text("小儿子已到县城务工")
    _no_horizontal_scroll(page)

    after = _coverage(page)
    assert after[:2] == (monitored, visited + 1)
    expected = f"{(visited + 1) * 100 / monitored:.1f}%"
    assert after[2] == expected
    _no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-assistance-coverage-375.png"), full_page=True)

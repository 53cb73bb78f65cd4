"""Data-quality checks in a real browser on the real `fanpin demo`: a county clerk on a phone uploads a
national-format file (checked, not imported), sees the contradictions by village and downloads them."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login
from fanpin.registry.tests.national_files import household, pid, write_xlsx

pytestmark = pytest.mark.browser


def _file(path):
    father, child = pid(date(1975, 2, 2), 901), pid(date(2015, 3, 3), 903)
    rows = household(
        "1403212012499901",
        [("测试户主", father, "户主"), ("测试之子", child, "之子")],
        户类型="一般农户",
        监测对象类别="脱贫不稳定户",
        识别监测时间="202301",
        风险是否已消除="否",
        **{"致贫/返贫风险1": "因病"},
        健康帮扶="慢病签约服务",
        户联系电话="",
    )
    rows[0]["健康状况"] = "患大病"
    rows[1]["劳动技能"] = ""
    return write_xlsx(path, rows)


def test_county_clerk_uploads_a_file_and_downloads_the_findings(new_page, tmp_path):
    path = _file(tmp_path / "本月导出.xlsx")
    page = new_page(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, accept_downloads=True
    )
    login(page, "demo_county")
    page.goto("/quality/")
    page.get_by_label("上传的国家系统导出文件（不导入）").check()
    page.get_by_label("区划代码").fill("140321")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="开始校验").click()
    expect(page.locator("#run-status")).to_have_text("已完成", timeout=60_000)
    findings = page.locator("#findings")
    expect(findings).to_contain_text("秋林庄")
    expect(findings).to_contain_text("1403212012499901")
    expect(findings).to_contain_text("MO01")  # 脱贫不稳定户 recorded as 一般农户
    expect(findings).to_contain_text("ED01")  # a 10-year-old out of school without a reason
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-quality-375.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#download").click()
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("行号", "列")
    by_rule = {(r[5], r[1]): r[0] for r in rows[1:]}
    assert by_rule[("MO01", "户类型")] == 4  # the household's first row in the file
    assert by_rule[("ED01", "在校生状况")] == 5  # the child's row


def test_county_clerk_reruns_the_registry_and_sees_the_trend(new_page):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    login(page, "demo_county")
    for path in ("/quality/rules/", "/quality/exemptions/", "/quality/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
    expect(page.locator("h1")).to_have_text("数据质量校验")
    page.get_by_label("系统内农户档案").check()
    page.get_by_label("区划代码").fill("140321")
    page.get_by_role("button", name="开始校验").click()
    expect(page.locator("#run-status")).to_have_text("已完成", timeout=120_000)
    # The demo made one registry run of 平定县: with this one the trend has two points and a chart.
    assert page.locator("#trend tbody tr").count() >= 2
    expect(page.locator("#quality-trend canvas")).to_have_count(1)
    scores = page.locator("#scores tbody tr")
    assert scores.count() > 1
    # Villages are listed from the lowest score up.
    values = [float(t) for t in page.locator("#scores tbody tr td:last-child").all_inner_texts()]
    assert values == sorted(values)

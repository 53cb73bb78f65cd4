"""The statistics overview in a real browser on the real `fanpin demo` (平定县, rollups of the last 12
months): a city user clicks 平定县 on the map, goes down to a village by table rows, and downloads the
.xlsx and the PDF monthly report, whose figures are the page's."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login

pytestmark = pytest.mark.browser

PINGDING_CENTRE = [113.630107, 37.804988]  # the `cp` of 平定县 in the bundled map data


def _figure(page, key: str) -> float:
    return float(page.locator(f"#fig-{key}").inner_text().replace(",", ""))


def test_city_user_drills_from_the_map_to_a_village_and_downloads(new_page, tmp_path):
    page = new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    login(page, "demo_city")
    page.goto("/reports/")
    expect(page.locator("#report-title")).to_have_text("阳泉市 统计概览")
    expect(page.locator("#report-map[data-ready='1']")).to_have_count(1, timeout=20_000)
    assert _figure(page, "monitored_households") > 0

    # Click 平定县 on the map canvas, at the pixel ECharts draws its centre.
    x, y = page.evaluate(
        """(cp) => {
            const el = document.getElementById('report-map');
            const chart = echarts.getInstanceByDom(el);
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, cp);
            const box = el.getBoundingClientRect();
            return [box.left + px, box.top + py];
        }""",
        PINGDING_CENTRE,
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/reports/area/140321/"), timeout=10_000)
    expect(page.locator("#report-title")).to_have_text("平定县 统计概览")
    county_monitored = _figure(page, "monitored_households")
    total_row = page.locator("#children tfoot td").nth(1).inner_text()
    assert float(total_row.replace(",", "")) == county_monitored
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-reports-county.png"), full_page=True)

    # Down to the township with the most monitored households, then to its first village with some.
    # Sort the table by 监测对象户数 (header click): the first row is then the largest.
    rows = page.locator("#children tbody tr")
    counts = [
        float(t.replace(",", "").replace("—", "0")) for t in rows.locator("td:nth-child(2)").all_inner_texts()
    ]
    page.locator("#children th[data-key='monitored_households']").click()
    first = rows.first
    assert float(first.locator("td").nth(1).inner_text().replace(",", "")) == max(counts)
    township = first.locator("td a").inner_text()
    first.locator("td a").click()
    expect(page.locator("#report-title")).to_have_text(f"{township} 统计概览")
    expect(page.locator("#report-breadcrumbs")).to_contain_text("阳泉市")
    village_row = page.locator("#children tbody tr").filter(has_not_text="—").first
    village = village_row.locator("td a").inner_text()
    village_monitored = float(village_row.locator("td").nth(1).inner_text().replace(",", ""))
    village_row.locator("td a").click()
    expect(page.locator("#report-title")).to_have_text(f"{village} 统计概览")
    assert _figure(page, "monitored_households") == village_monitored  # the row and the page agree

    with page.expect_download() as info:
        page.locator("#download-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    total = list(book["下级区划"].iter_rows(min_row=4, values_only=True))[-1]
    assert total[1] == f"{village}（合计）" and total[2] == village_monitored
    everything = {r[1]: r[3] for r in book["全部指标"].iter_rows(min_row=4, values_only=True)}
    assert everything["监测对象人数"] == _figure(page, "monitored_people")
    assert everything["动态监测率"] == pytest.approx(_figure(page, "monitoring_rate"))

    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(info.value.path().read_bytes())
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert village in text and "防返贫动态监测月报" in text
        line = next(ln for ln in text.splitlines() if "监测对象户数" in ln)
        assert re.search(rf"\b{int(village_monitored)}\b", line), line

    # Back up by the breadcrumbs: the city user can go no higher than 阳泉市.
    page.locator("#report-breadcrumbs a", has_text="阳泉市").click()
    expect(page.locator("#report-title")).to_have_text("阳泉市 统计概览")
    assert page.locator("#report-breadcrumbs li").count() == 1


def test_county_overview_on_a_phone(new_page):
    page = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    login(page, "demo_county")
    page.goto("/reports/")
    expect(page.locator("#report-title")).to_have_text("平定县 统计概览")
    expect(page.locator("#report-trend canvas")).to_have_count(1)
    data = json.loads(page.locator("#report-data").text_content())
    assert len(data["trend"]["months"]) == 12  # the demo step computed the last 12 months
    assert data["trend"]["monitored_households"][-1] == _figure(page, "monitored_households")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.goto("/reports/area/1403/").status == 404  # the city is above the county user's area
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/reports/")
    page.screenshot(path=str(ARTIFACTS / "browser-reports-county-375.png"), full_page=True)

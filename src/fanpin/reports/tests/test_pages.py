"""Overview pages, drill-down scope, and the same numbers in the page, the .xlsx, the PDF and the API."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from fanpin.monitoring.tests.world import QLZ, policy_2025
from fanpin.reports.indicators import INDICATORS, TABLE
from fanpin.reports.services.rollup import rollup_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled(world):
    policy_2025()
    rollup_compute(actor="测试", area_code="1403", months=[(2025, 8), (2025, 9)])
    return world


def _number(text: str) -> Decimal | None:
    text = re.sub(r"<[^>]+>", "", text).strip()
    return None if text in ("—", "") else Decimal(text.replace(",", ""))


def _table(html: str) -> dict[str, list[Decimal | None]]:
    """{row code: [cells]} of the children table (tbody rows and the 合计 row)."""
    table = html[html.index('id="children"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for code, body in re.findall(r'<tr[^>]*data-code="(\d+)"[^>]*>(.*?)</tr>', table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        rows[code] = [_number(c) for c in cells[1:]]
    return rows


def test_county_user_starts_at_the_county_and_sees_the_rollup_figures(rolled, make_user, client_for):
    client = client_for(make_user("county", "140321"))
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:area", args=["140321"])
    html = client.get(reverse("reports:area", args=["140321"]) + "?month=2025-09").content.decode()
    assert re.search(r'id="fig-monitored_households">2<', html)
    assert re.search(r'id="fig-monitoring_rate">69\.23<', html)  # 9 of 13 people, as counted by hand
    crumbs = html[html.index('id="report-breadcrumbs"') : html.index("</ol>")]
    assert "平定县" in crumbs and "阳泉市" not in crumbs and "山西省" not in crumbs
    rows = _table(html)
    chakou = rows["140321201"]  # 岔口乡: a and c monitored
    assert chakou[TABLE.index("monitored_households")] == 2
    assert rows["140321100"][TABLE.index("monitored_households")] == 0  # 冠山镇: d, never monitored
    assert rows["140321102"][TABLE.index("monitored_households")] is None  # no households: no figure
    assert rows["140321"][TABLE.index("monitored_households")] == 2  # the 合计 row


def test_drill_down_stays_inside_the_users_area(rolled, make_user, client_for):
    client = client_for(make_user("township", "140321201"))
    assert client.get(reverse("reports:area", args=["140321201"])).status_code == 200
    assert client.get(reverse("reports:area", args=[QLZ])).status_code == 200
    for outside in ("140321", "1403", "14", "140322", "140321100"):
        assert client.get(reverse("reports:area", args=[outside])).status_code == 404, outside
        assert client.get(reverse("reports:area_xlsx", args=[outside])).status_code == 404, outside
    api = client.get(reverse("api:indicator-list") + "?area=140321", HTTP_ACCEPT="application/json")
    assert json.loads(api.content)["count"] == 0


def test_city_page_offers_the_map_and_links_every_county(rolled, make_user, client_for):
    client = client_for(make_user("city", "1403"))
    html = client.get(reverse("reports:area", args=["1403"]) + "?month=2025-09").content.decode()
    data = json.loads(
        re.search(r'id="report-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["map"]["url"] == reverse("reports:map", args=["1403"])
    values = {v["name"]: v for v in data["map"]["values"]}
    assert set(values) == {"140302", "140303", "140311", "140321", "140322"}
    assert values["140321"]["value"] == 2 and values["140322"]["value"] == 0
    assert values["140302"]["value"] is None  # 城区 has no households: no figure, not a zero
    assert values["140321"]["url"].startswith(reverse("reports:area", args=["140321"]))
    geo = client.get(data["map"]["url"])
    body = geo.content
    if geo.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    features = json.loads(body)["features"]
    assert {f["properties"]["name"] for f in features} == set(values)


def test_xlsx_has_the_same_numbers_as_the_page(rolled, make_user, client_for):
    client = client_for(make_user("county", "140321"))
    html = client.get(reverse("reports:area", args=["140321"]) + "?month=2025-09").content.decode()
    page = _table(html)
    response = client.get(reverse("reports:area_xlsx", args=["140321"]) + "?month=2025-09")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["下级区划"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    header = [c.value for c in sheet[3]]
    assert header[2:] == [f"{INDICATORS[k].name}（{INDICATORS[k].unit}）" for k in TABLE]
    xlsx = {r[0]: [None if v is None else Decimal(str(v)) for v in r[2:]] for r in rows}
    assert set(xlsx) == set(page)
    for code, cells in page.items():
        assert xlsx[code] == cells, code
    everything = {r[1]: r[3] for r in book["全部指标"].iter_rows(min_row=4, values_only=True)}
    assert everything["动态监测率"] == pytest.approx(69.23)
    assert everything["本月预警线索"] == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_monthly_pdf_contains_the_figures_in_chinese(rolled, make_user, client_for, tmp_path):
    client = client_for(make_user("county", "140321"))
    response = client.get(reverse("reports:area_pdf", args=["140321"]) + "?month=2025-09")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "平定县防返贫动态监测月报" in text.replace(" ", "").replace("山西省阳泉市", "")
    assert "2025 年 9 月" in text
    line = next(ln for ln in text.splitlines() if "动态监测率" in ln and "%" in ln)
    assert "69.23" in line
    # The children table: 岔口乡 has 2 monitored households of 7 people (a and c)
    assert re.search(r"岔口乡\s+2\s+7\s", text), text
    assert "没有超期未办结的业务" in text  # the overdue section (no cases in this world)


def test_api_returns_the_page_figures(rolled, make_user, client_for):
    client = client_for(make_user("city", "1403"))
    data = json.loads(
        client.get(
            reverse("api:indicator-list") + "?area=140321&month=2025-09", HTTP_ACCEPT="application/json"
        ).content
    )
    api = {r["indicator"]: Decimal(r["value"]) for r in data["results"]}
    html = client.get(reverse("reports:area", args=["140321"]) + "?month=2025-09").content.decode()
    page = {k: _number(v) for k, v in re.findall(r'<td class="text-end" id="all-(\w+)">([^<]*)<', html)}
    assert len(page) == len([d for d in INDICATORS.values() if d.available])
    assert api == {k: v for k, v in page.items() if v is not None}
    assert page["snapshot_households"] is None  # no monthly run for September: not measured, not zero
    rate = client.get(
        reverse("api:indicator-list") + "?area=140321&month=2025-09&indicator=monitoring_rate",
        HTTP_ACCEPT="application/json",
    )
    row = json.loads(rate.content)["results"][0]
    assert row["name"] == "动态监测率" and row["unit"] == "%" and Decimal(row["value"]) == Decimal("69.23")
    kids = json.loads(
        client.get(
            reverse("api:indicator-list")
            + "?area=140321&month=2025-09&children=1&indicator=monitored_households",
            HTTP_ACCEPT="application/json",
        ).content
    )
    assert {r["area_code"]: Decimal(r["value"]) for r in kids["results"]} == {
        "140321100": 0,
        "140321201": 2,
    }
    schema = client.get(reverse("api:schema")).content.decode()
    assert "/api/indicators/" in schema


def test_area_without_rollups_says_how_to_compute_them(make_user, client_for):
    client = client_for(make_user("county", "140321"))
    html = client.get(reverse("reports:area", args=["140321"])).content.decode()
    assert "还没有指标汇总" in html and "fanpin reports rollup --area 140321" in html
    assert client.get(reverse("reports:area_pdf", args=["140321"])).status_code == 404

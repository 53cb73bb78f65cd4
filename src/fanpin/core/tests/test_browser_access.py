"""Browser tests: a real Chromium against the real `fanpin demo` server.

What a person sees: Chinese login page, a village account confined to its village (pages, API, Excel
export, area switcher), a county account moving around its county, the phone layout at 375 px, and a
background job's progress page.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from fanpin.core.tests.browser_server import ARTIFACTS, login

pytestmark = pytest.mark.browser

VILLAGE = "140321201249"  # 山西省阳泉市平定县岔口乡秋林庄村委会
TOWNSHIP = "140321201"  # 岔口乡
COUNTY = "140321"  # 平定县
CITY = "1403"  # 阳泉市
SWITCHER = "切换区划：输入名称或代码"
NOT_IN_AREA = "不在您的管辖范围内"


def _search_area(page, text: str):
    """Type into the area switcher and wait for htmx to put the results in place."""
    page.wait_for_load_state()  # htmx (a deferred script) must be listening before we type
    box = page.get_by_placeholder(SWITCHER)
    with page.expect_response(
        lambda r: "/divisions/pick/" in r.url and r.request.headers.get("hx-request")
    ) as info:
        box.fill(text)
    assert info.value.status == 200
    results = page.locator("#area-pick-results")
    expect(results.locator(".list-group")).to_be_visible()
    return results


def _expect_not_found(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 404, f"{path} answered {response and response.status}"
    expect(page).to_have_title(re.compile(r"^未找到"))
    expect(page.locator("main")).to_contain_text(NOT_IN_AREA)
    expect(page.locator("#children")).to_have_count(0)
    expect(page.get_by_role("link", name="导出 Excel")).to_have_count(0)


def test_login_page_is_chinese_and_rejects_a_wrong_password(new_page):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("账号")).to_be_visible()
    expect(page.get_by_label("密码")).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()

    page.get_by_label("账号").fill("demo_township")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("账号或密码不正确")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # No session: the home page still sends us back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_village_account_reaches_nothing_outside_its_village(new_page, tmp_path):
    page = new_page()
    login(page, "demo_village")
    expect(page.locator("h1")).to_contain_text("秋林庄村委会")
    expect(page.locator("#current-area")).to_have_text("山西省阳泉市平定县岔口乡秋林庄村委会")

    # By URL: the county, the township, the city are "not found"; its own village is shown.
    for code in (COUNTY, TOWNSHIP, CITY, "14", "140321201204"):  # 140321201204: 岔口村, a neighbour
        _expect_not_found(page, f"/divisions/{code}/")
    response = page.goto(f"/divisions/{VILLAGE}/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("秋林庄村委会")
    expect(page.locator("main")).to_contain_text(VILLAGE)
    # Breadcrumbs never show anything above the user's own area.
    expect(page.locator(".breadcrumb .breadcrumb-item")).to_have_text(["秋林庄村委会"])

    # By API (the browser's own session).
    api = page.request
    listing = api.get("/api/divisions/")
    assert listing.status == 200
    data = listing.json()
    assert data["count"] == 1
    assert [d["code"] for d in data["results"]] == [VILLAGE]
    for code in (COUNTY, TOWNSHIP, CITY, "140321201204"):
        assert api.get(f"/api/divisions/{code}/").status == 404, code
    assert api.get(f"/api/divisions/{VILLAGE}/").json()["name"] == "秋林庄村委会"
    for query in ({"q": "岔口"}, {"q": "14"}, {"q": "平定"}, {"parent": TOWNSHIP}, {"level": "3"}):
        found = api.get("/api/divisions/", params=query).json()["results"]
        assert all(d["code"] == VILLAGE for d in found), (query, found)
    own = api.get("/api/divisions/", params={"q": "秋林"}).json()["results"]
    assert [d["code"] for d in own] == [VILLAGE]
    picked = api.get("/divisions/pick/", params={"q": "岔口"}).json()["results"]
    assert all(d["code"] == VILLAGE for d in picked), picked

    # By export: someone else's area is not found; its own area downloads a real workbook.
    _expect_not_found(page, f"/divisions/{COUNTY}/export.xlsx")
    assert api.get(f"/divisions/{TOWNSHIP}/export.xlsx").status == 404
    page.goto(f"/divisions/{VILLAGE}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "秋林庄村委会" in download.suggested_filename
    saved = tmp_path / "export.xlsx"
    download.save_as(saved)
    book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
    rows = [r for r in book.active.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert rows[0] == ("区划代码", "名称", "层级", "上级代码")
    assert rows[1:] == [(VILLAGE, "秋林庄村委会", "村", TOWNSHIP)]

    # The area switcher: the township's name finds nothing; its own name and code find only itself.
    page.goto("/")
    results = _search_area(page, "岔口")
    expect(results).to_contain_text("在您的管辖范围内没有找到匹配的区划")
    expect(results.get_by_role("button")).to_have_count(0)
    for text in ("秋林", "140321"):
        results = _search_area(page, text)
        buttons = results.get_by_role("button")
        expect(buttons).to_have_count(1)
        expect(buttons).to_contain_text("秋林庄村委会")
        expect(buttons).to_contain_text(VILLAGE)


def test_county_account_switches_area_and_walks_the_breadcrumbs(new_page):
    page = new_page()
    login(page, "demo_county")
    expect(page.locator("#current-area")).to_have_text("山西省阳泉市平定县")
    expect(page.locator("h1")).to_have_text("山西省阳泉市平定县")

    results = _search_area(page, "岔口乡")
    choice = results.get_by_role("button", name=re.compile("岔口乡"))
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text(TOWNSHIP)
    choice.click()

    expect(page.locator("#current-area")).to_have_text("山西省阳泉市平定县岔口乡")
    expect(page.get_by_role("alert")).to_contain_text("当前区划已切换为：山西省阳泉市平定县岔口乡")
    expect(page.locator("h1")).to_have_text("山西省阳泉市平定县岔口乡")
    crumbs = page.locator(".breadcrumb .breadcrumb-item")
    expect(crumbs).to_have_text(["平定县", "岔口乡"])
    expect(page.get_by_role("link", name="秋林庄村委会")).to_be_visible()  # its villages are listed

    page.locator(".breadcrumb").get_by_role("link", name="平定县").click()
    expect(page).to_have_url(re.compile(rf"/divisions/{COUNTY}/$"))
    expect(page.locator("h1")).to_have_text("平定县")
    expect(page.locator(".breadcrumb .breadcrumb-item")).to_have_text(["平定县"])
    expect(page.locator("#children").get_by_role("link", name="岔口乡")).to_be_visible()

    _expect_not_found(page, f"/divisions/{CITY}/")
    _expect_not_found(page, "/divisions/140322/")  # 盂县, the neighbouring county
    results = _search_area(page, "阳泉")
    expect(results.get_by_role("button")).to_have_count(0)


def test_phone_layout_at_375px(new_page):
    page = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    static = []
    page.on("response", lambda r: static.append((r.status, r.url)) if "/static/" in r.url else None)
    login(page, "demo_village")
    expect(page.locator("h1")).to_contain_text("秋林庄村委会")
    # Our own stylesheet and script (not just Bootstrap's) reach the phone.
    page.wait_for_load_state()
    served = {url.split("/static/", 1)[1]: status for status, url in static}
    assert served.get("fanpin/app.css") == 200 and served.get("fanpin/app.js") == 200, served
    assert all(status < 400 for status in served.values()), served

    def no_horizontal_overflow():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url}: page is {width}px wide at a 375px viewport"

    no_horizontal_overflow()
    switcher = page.get_by_placeholder(SWITCHER)
    box = switcher.bounding_box()
    assert box is not None and box["width"] >= 300, f"area switcher is only {box and box['width']}px wide"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-home-375.png"), full_page=True)

    menu = page.locator("#mainnav")
    toggler = page.get_by_role("button", name="展开菜单")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    toggler.click()
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # Bootstrap's collapse has finished
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    for group in ("农户档案", "动态监测", "系统"):  # the modules, grouped so the bar fits a phone
        expect(
            menu.get_by_role("button", name=group).or_(menu.get_by_role("link", name=group))
        ).to_be_visible()
    menu.get_by_role("button", name="系统").click()
    expect(menu.get_by_role("link", name="行政区划")).to_be_visible()
    expect(menu.get_by_role("link", name="后台任务")).to_be_visible()
    no_horizontal_overflow()
    menu.get_by_role("button", name="系统").click()  # close it again
    menu.locator("#account-menu").click()
    expect(menu.get_by_role("button", name="退出登录")).to_be_visible()
    no_horizontal_overflow()
    page.screenshot(path=str(ARTIFACTS / "browser-home-375-menu.png"), full_page=True)

    menu.get_by_role("button", name="系统").click()
    menu.get_by_role("link", name="行政区划").click()
    expect(page).to_have_url(re.compile(rf"/divisions/{VILLAGE}/$"))
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
    no_horizontal_overflow()

    _search_area(page, "秋林")
    no_horizontal_overflow()

    page.goto("/jobs/")
    no_horizontal_overflow()


def _upload(page, name: str, content: str) -> None:
    page.goto("/divisions/upload/")
    expect(page.get_by_role("heading", name="导入行政区划")).to_be_visible()
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("h1")).to_have_text("导入行政区划（1 个文件）")


def test_job_progress_page_shows_success_and_failure(new_page):
    page = new_page()
    login(page, "demo_admin")
    header = "code,name,streetCode,provinceCode,cityCode,areaCode\n"

    _upload(page, "villages.csv", header + "140321201999,浏览器测试村委会,140321201,14,1403,140321\n")
    expect(page.locator(".job-status")).to_have_text("已完成", timeout=60_000)
    expect(page.locator(".progress-bar")).to_have_text("100%")
    expect(page.locator(".job-log")).to_contain_text("新增 1")
    response = page.goto("/divisions/140321201999/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("浏览器测试村委会")

    _upload(
        page,
        "bad-villages.csv",
        header + "14032120199X,坏代码村委会,140321201,14,1403,140321\n"
        "140321201998,好代码村委会,140321201,14,1403,140321\n",
    )
    expect(page.locator(".job-status")).to_have_text("失败", timeout=60_000)
    error = page.locator(".job-error")
    expect(error).to_contain_text("未导入任何数据")
    expect(error).to_contain_text("第 2 行")
    expect(error).to_contain_text("14032120199X")
    # All or nothing: the good row of the refused file was not imported.
    response = page.goto("/divisions/140321201998/")
    assert response is not None and response.status == 404

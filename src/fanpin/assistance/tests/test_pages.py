"""The assistance pages as a cadre uses them (Django test client, real database)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from fanpin.assistance.models import Measure, MeasureItem, ResponsiblePerson, ResponsibleUnit, Visit
from fanpin.assistance.selectors import visit_coverage
from fanpin.assistance.services.visits import visit_record
from fanpin.assistance.tests import world
from fanpin.core.models import AuditEvent
from fanpin.registry.services.households import household_update

pytestmark = pytest.mark.django_db


def test_plan_page_shows_measures_principle_problems_and_imported(client_for, village_user):
    h = world.household(risks=("因病", "因残"), labour=("普通劳动力", "丧失劳动力"))
    world.measure(h, "100A40", "外出务工", amount="24000")
    household_update(
        actor="测试", household=h, measures_recorded={"综合保障": "残疾人补贴", "健康帮扶": "否"}
    )
    page = client_for(village_user).get(f"/assistance/households/{h.pk}/").content.decode()
    assert "外出务工" in page and "24000.00" in page and "王建国" in page
    assert "有劳动力（1 人）" in page
    # 因残 is covered by the imported 综合保障; 因病 is not (健康帮扶 "否" is no measure).
    assert 'data-rule="ILLNESS_HEALTH"' in page
    assert 'data-rule="DISABILITY_PROTECTION"' not in page
    assert "国家系统导入的帮扶措施" in page and "残疾人补贴" in page


def test_add_a_measure_through_the_form(client_for, village_user):
    h = world.household(risks=("因病",))
    u = world.unit()
    wang = world.person(u)
    client = client_for(village_user)
    form = client.get(f"/assistance/households/{h.pk}/measures/new/").content.decode()
    assert "100A45|医疗救助" in form and "平定县供水管理局" in form
    response = client.post(
        f"/assistance/households/{h.pk}/measures/new/",
        {
            "choice": "100A45|医疗救助",
            "amount": "1500.50",
            "start": "2021-07-01",
            "unit": u.pk,
            "persons": [wang.pk],
        },
    )
    assert response.status_code == 302
    m = Measure.objects.get(household=h)
    assert (m.category, m.item, str(m.amount), m.start) == ("100A45", "医疗救助", "1500.50", date(2021, 7, 1))
    assert list(m.persons.all()) == [wang]
    page = client.get(f"/assistance/households/{h.pk}/").content.decode()
    assert "医疗救助" in page and "帮扶措施与风险一致" in page  # 因病 now has 健康帮扶
    # The form refuses an end before the start, with the service's message.
    response = client.post(
        f"/assistance/households/{h.pk}/measures/new/",
        {
            "choice": "100A40|外出务工",
            "start": "2022-01-01",
            "end": "2021-01-01",
            "unit": u.pk,
            "persons": [wang.pk],
        },
    )
    assert response.status_code == 200
    assert "结束日期 2021-01-01 早于开始日期 2022-01-01" in response.content.decode()


def test_edit_and_end_a_measure_through_the_pages(client_for, village_user):
    h = world.household()
    m = world.measure(h, "100A40", "外出务工", amount="20000")
    client = client_for(village_user)
    response = client.post(
        f"/assistance/measures/{m.pk}/edit/",
        {
            "choice": "100A40|劳务输出",
            "amount": "22000",
            "start": "2021-07-01",
            "unit": m.unit_id,
            "persons": [p.pk for p in m.persons.all()],
            "version": m.version,
        },
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.item == "劳务输出" and str(m.amount) == "22000.00"
    response = client.post(f"/assistance/measures/{m.pk}/end/", {"end": "2022-02-28", "reason": "已稳定就业"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.end == date(2022, 2, 28)
    page = client.get(f"/assistance/households/{h.pk}/").content.decode()
    assert 'id="measures-ended"' in page and 'data-rule="NO_MEASURE"' in page


def test_record_a_visit_through_the_form(client_for, village_user):
    h = world.household()
    m = world.measure(h, "100A40", "外出务工")
    wang = m.persons.get()
    client = client_for(village_user)
    form = client.get(f"/assistance/households/{h.pk}/visits/new/").content.decode()
    assert "王建国" in form
    today = date.today()
    response = client.post(
        f"/assistance/households/{h.pk}/visits/new/",
        {
            "visited_on": today.isoformat(),
            "visitors": "张村干",
            "persons": [wang.pk],
            "findings": "务工收入稳定",
            "follow_up": "",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(household=h)
    assert visit.recorded_by == village_user and list(visit.persons.all()) == [wang]
    coverage = client.get("/assistance/coverage/").content.decode()
    assert f'data-village="{world.QLZ}"' in coverage and "100.0%" in coverage


def test_coverage_download_matches_the_page(client_for, make_user):
    hs = [world.household() for _ in range(3)] + [world.household(village=world.CHAKOU)]
    for h in hs[:2]:
        visit_record(actor="测试", household=h, visited_on=date(2025, 6, 9), visitors="甲", findings="正常")
    county = make_user("county", world.PINGDING)
    response = client_for(county).get("/assistance/coverage.xlsx?month=2025-06")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("乡镇", "村", "村代码", "监测户数", "本月已走访户数", "走访覆盖率（%）")
    body = {r[2]: r[3:] for r in rows[1:-1]}
    # By hand: 秋林庄村 3 monitored, 2 visited; 岔口村 1 monitored, none visited.
    assert body == {world.CHAKOU: (1, 0, 0.0), world.QLZ: (3, 2, 66.7)}
    assert rows[-1][1:] == ("合计", "", 4, 2, 50.0)
    expected = {
        r.village_code: (r.monitored, r.visited) for r in visit_coverage(user=county, year=2025, month=6)
    }
    assert {k: v[:2] for k, v in body.items()} == expected
    response = client_for(county).get("/assistance/coverage.xlsx?month=2025-06&by=township")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("县", "乡镇", "乡镇代码")
    assert rows[1] == ("平定县", "岔口乡", "140321201", 4, 2, 50.0)
    assert rows[-1][1:] == ("合计", "", 4, 2, 50.0) and len(rows) == 3
    page = client_for(county).get("/assistance/coverage/?month=2025-06&by=township").content.decode()
    assert 'data-code="140321201"' in page and f'data-code="{world.QLZ}"' not in page


def test_plans_download_has_one_row_per_measure_without_personal_data(client_for, make_user):
    h = world.household(risks=("因病",), phone="13987654321")
    world.measure(h, "100A40", "外出务工", amount="24000")
    world.measure(h, "100A45", "医疗救助")
    other = world.household(village=world.YUXIAN)
    u = world.unit("盂县医保局", area="140322")
    world.measure(other, "100A45", "医疗救助", u=u, persons=[world.person(u, "刘某")])
    county = make_user("county", world.PINGDING)
    response = client_for(county).get("/assistance/plans.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("村", "户编号", "户主姓名")
    assert [(r[1], r[5], r[7], r[10]) for r in rows[1:]] == [
        (h.code, "100A40", "外出务工", 24000),
        (h.code, "100A45", "医疗救助", None),
    ]
    flat = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "13987654321" not in flat and "13812345678" not in flat and "刘某" not in flat


def test_problem_list_filters_by_rule(client_for, make_user):
    bad = world.household(risks=("饮水出现安全问题",))
    world.measure(bad, "100A40", "外出务工")
    empty = world.household()
    county = make_user("county", world.PINGDING)
    client = client_for(county)
    page = client.get("/assistance/problems/").content.decode()
    assert bad.code in page and empty.code in page and "共 2 户" in page
    page = client.get("/assistance/problems/?rule=WATER_SAFETY").content.decode()
    assert bad.code in page and empty.code not in page
    response = client.get("/assistance/problems.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:2] == ("村", "户编号")
    assert [(r[1], r[5]) for r in rows[1:]] == [(bad.code, "WATER_SAFETY"), (empty.code, "NO_MEASURE")]
    assert "饮水安全保障（100A51）" in rows[1][6]


def test_household_page_links_to_the_plan(client_for, village_user):
    h = world.household(risks=("因病",))
    world.measure(h, "100A40", "外出务工")
    page = client_for(village_user).get(f"/households/{h.pk}/").content.decode()
    assert f'href="/assistance/households/{h.pk}/"' in page
    assert "在用措施 1 项" in page and "措施与风险不一致 1 项" in page


def test_units_and_persons_through_the_pages(client_for, make_user):
    county = make_user("county", world.PINGDING)
    client = client_for(county)
    response = client.post(
        "/assistance/units/new/",
        {"name": "平定县供水管理局", "area_code": "140321", "kind": "县直部门", "active": "on"},
    )
    assert response.status_code == 302
    unit = ResponsibleUnit.objects.get(name="平定县供水管理局")
    response = client.post(
        f"/assistance/units/{unit.pk}/persons/new/",
        {"name": "王建国", "post": "副局长", "phone": "138-1234-5678", "active": "on"},
    )
    assert response.status_code == 302
    person = ResponsiblePerson.objects.get(unit=unit)
    assert person.phone == "13812345678"
    page = client.get(f"/assistance/units/{unit.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    # Full number only with a reason, audited.
    page = client.post(
        f"/assistance/persons/{person.pk}/reveal/", {"reason": "联系帮扶事宜"}
    ).content.decode()
    assert "13812345678" in page
    event = AuditEvent.objects.get(action="assistance.person_reveal")
    assert event.actor == county and "联系帮扶事宜" in event.note
    page = client.post(f"/assistance/persons/{person.pk}/reveal/", {"reason": ""}).content.decode()
    assert "13812345678" not in page and "请填写查看完整电话号码的事由" in page
    # A duplicate unit is refused with a message naming it.
    response = client.post("/assistance/units/new/", {"name": "平定县供水管理局", "area_code": "140321"})
    assert "已有帮扶单位“平定县供水管理局”" in response.content.decode()


def test_village_user_sees_the_county_unit_but_cannot_edit_it(client_for, village_user):
    unit = world.unit()
    client = client_for(village_user)
    assert "平定县供水管理局" in client.get("/assistance/units/").content.decode()
    page = client.get(f"/assistance/units/{unit.pk}/").content.decode()
    assert f"/assistance/units/{unit.pk}/edit/" not in page
    response = client.post(f"/assistance/units/{unit.pk}/edit/", {"name": "改名", "area_code": "140321"})
    assert "不在您的管辖范围内" in response.content.decode()
    unit.refresh_from_db()
    assert unit.name == "平定县供水管理局"


def test_county_extends_the_catalogue_and_village_may_not(client_for, make_user, village_user):
    county = make_user("county", world.PINGDING)
    response = client_for(county).post(
        "/assistance/catalogue/new/", {"category": "100A39", "name": "连翘种植"}
    )
    assert response.status_code == 302
    assert MeasureItem.objects.get(name="连翘种植").area_code == "140321"
    client = client_for(village_user)
    assert "连翘种植（本地）" in client.get("/assistance/catalogue/").content.decode()
    assert client.get("/assistance/catalogue/new/").status_code == 403
    yuxian = make_user("village", world.YUXIAN)
    assert "连翘种植" not in client_for(yuxian).get("/assistance/catalogue/").content.decode()
    # The county retires its own item; it is no longer offered on the measure form.
    item = MeasureItem.objects.get(name="连翘种植")
    client = client_for(county)
    assert client.post(f"/assistance/catalogue/{item.pk}/toggle/").status_code == 302
    h = world.household()
    assert (
        "100A39|连翘种植" not in client.get(f"/assistance/households/{h.pk}/measures/new/").content.decode()
    )
    national = MeasureItem.objects.get(area_code="", name="低保")
    response = client.post(f"/assistance/catalogue/{national.pk}/toggle/", follow=True)
    assert "全国目录中的项目不能停用" in response.content.decode()


def test_list_pages_query_count_does_not_grow_with_households(
    client_for, make_user, django_assert_max_num_queries
):
    county = make_user("county", world.PINGDING)
    client = client_for(county)
    u = world.unit()
    wang = world.person(u)
    for n in range(12):
        h = world.household(risks=("因病",) if n % 2 else ())
        world.measure(h, "100A40", "外出务工", u=u, persons=[wang])
        visit_record(actor="测试", household=h, visited_on=date.today(), visitors="甲", findings="正常")
    for path in ["/assistance/", "/assistance/problems/", "/assistance/coverage/", "/assistance/visits/"]:
        with django_assert_max_num_queries(20):
            assert client.get(path).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/assistance/households/{h.pk}/").status_code == 200


def test_plan_list_shows_who_is_not_yet_visited_this_month(client_for, village_user):
    visited = world.household()
    waiting = world.household()
    eliminated = world.household(risk_eliminated=True, elimination_method="自然消除")
    world.measure(eliminated, "100A40", "外出务工")  # on the list (has a measure) but not monitored
    visit_record(actor="测试", household=visited, visited_on=date.today(), visitors="甲", findings="正常")
    client = client_for(village_user)
    page = client.get("/assistance/").content.decode()
    assert visited.code in page and waiting.code in page and eliminated.code in page
    page = client.get("/assistance/?unvisited=1").content.decode()
    assert waiting.code in page and visited.code not in page and eliminated.code not in page

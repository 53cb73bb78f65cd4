"""The assistance API: writes through the services, ids outside the area are 404, phones masked."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from fanpin.assistance.models import Measure, Visit
from fanpin.assistance.tests import world
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client


def _measure_body(h, u, persons, **kw):
    return {
        "household": h.pk,
        "category": "100A42",
        "item": "公益性岗位",
        "amount": "10800.00",
        "start": "2021-07-01",
        "unit": u.pk,
        "persons": [p.pk for p in persons],
        **kw,
    }


def test_create_list_update_and_end_a_measure(api, village_user):
    h = world.household(risks=("因残",))
    son = h.members.first()
    u = world.unit()
    wang = world.person(u)
    client = api(village_user)
    response = client.post("/api/measures/", _measure_body(h, u, [wang], member=son.pk), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category_name"] == "公益岗位帮扶" and body["amount"] == "10800.00"
    assert body["persons"] == [wang.pk] and body["person_names"] == ["王建国"] and body["member"] == son.pk
    mid = body["id"]
    assert AuditEvent.objects.filter(action="assistance.measure_add", subject=h.code).count() == 1

    listed = client.get("/api/measures/", {"household": h.pk, "on": "2021-07-01"}).json()
    assert [r["id"] for r in listed["results"]] == [mid]
    assert client.get("/api/measures/", {"household": h.pk, "on": "2021-06-30"}).json()["count"] == 0

    response = client.patch(f"/api/measures/{mid}/", {"amount": "12000", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "12000.00" and response.json()["version"] == 2
    response = client.patch(f"/api/measures/{mid}/", {"amount": "1", "version": 1}, format="json")
    assert response.status_code == 400 and "已被他人修改" in response.json()["detail"]

    response = client.post(
        f"/api/measures/{mid}/end/", {"end": "2022-02-28", "reason": "已稳定就业"}, format="json"
    )
    assert response.status_code == 200 and response.json()["end"] == "2022-02-28"
    assert Measure.objects.get(pk=mid).end_reason == "已稳定就业"


def test_refusals_are_chinese_and_name_the_rule(api, village_user):
    h = world.household()
    u = world.unit()
    wang = world.person(u)
    response = api(village_user).post(
        "/api/measures/", _measure_body(h, u, [wang], item="低保"), format="json"
    )
    assert response.status_code == 400
    assert "“低保”不是“公益岗位帮扶”下的帮扶项目" in response.json()["detail"]


def test_objects_outside_the_area_are_not_found(api, village_user):
    inside = world.household()
    outside = world.household(village=world.CHAKOU)
    u = world.unit()
    wang = world.person(u)
    far = world.unit("盂县民政局", area="140322")
    liu = world.person(far, "刘某")
    client = api(village_user)
    assert client.post("/api/measures/", _measure_body(outside, u, [wang]), format="json").status_code == 404
    assert client.post("/api/measures/", _measure_body(inside, far, [wang]), format="json").status_code == 404
    assert client.post("/api/measures/", _measure_body(inside, u, [liu]), format="json").status_code == 404
    assert not Measure.objects.exists()
    assert client.get(f"/api/plans/{outside.pk}/").status_code == 404


def test_inspector_reads_but_cannot_write(api, make_user):
    h = world.household()
    u = world.unit()
    inspector = make_user("inspector", "1403")
    client = api(inspector)
    assert client.get(f"/api/plans/{h.pk}/").status_code == 200
    assert (
        client.post("/api/measures/", _measure_body(h, u, [world.person(u)]), format="json").status_code
        == 403
    )
    assert client.post("/api/visits/", {"household": h.pk}, format="json").status_code == 403


def test_plan_carries_measures_principle_imported_and_problems(api, village_user):
    h = world.household(risks=("因病", "饮水出现安全问题"), measures_recorded={"健康帮扶": "医疗救助"})
    world.measure(h, "100A40", "外出务工")
    body = api(village_user).get(f"/api/plans/{h.pk}/").json()
    assert [m["item"] for m in body["measures"]] == ["外出务工"]
    assert body["imported"] == [
        {"column": "健康帮扶", "text": "医疗救助", "category": "100A45", "counts": True}
    ]
    assert (
        body["problems"] == [{"rule": "WATER_SAFETY", "message": body["problems"][0]["message"]}]
        and "饮水安全保障（100A51）" in body["problems"][0]["message"]
    )
    assert body["principle"].startswith("有劳动力")


def test_visits_and_coverage(api, village_user):
    h = world.household()
    world.household()
    u = world.unit()
    wang = world.person(u)
    client = api(village_user)
    response = client.post(
        "/api/visits/",
        {
            "household": h.pk,
            "visited_on": "2025-06-03",
            "visitors": "张村干",
            "persons": [wang.pk],
            "findings": "正常",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Visit.objects.get().recorded_by == village_user
    assert client.get("/api/visits/", {"month": "2025-06"}).json()["count"] == 1
    assert client.get("/api/visits/", {"month": "2025-07"}).json()["count"] == 0
    coverage = client.get("/api/visit-coverage/", {"month": "2025-06"}).json()
    assert coverage["rows"] == [
        {
            "village_code": world.QLZ,
            "village_name": "秋林庄村委会",
            "township_name": "岔口乡",
            "monitored": 2,
            "visited": 1,
            "share": "50.0",
        }
    ]
    assert client.get("/api/visit-coverage/", {"month": "2025-13"}).status_code == 400
    by_township = client.get("/api/visit-coverage/", {"month": "2025-06", "by": "township"}).json()
    assert [(r["village_code"], r["monitored"], r["visited"]) for r in by_township["rows"]] == [
        ("140321201", 2, 1)
    ]
    assert client.get("/api/visit-coverage/", {"by": "city"}).status_code == 400


def test_person_phone_is_masked_and_units_are_area_scoped(api, village_user, make_user):
    u = world.unit()
    world.person(u, phone="13812345678")
    world.unit("盂县民政局", area="140322")
    client = api(village_user)
    persons = client.get("/api/responsible-persons/").json()["results"]
    assert [p["phone"] for p in persons] == ["138****5678"]
    names = [x["name"] for x in client.get("/api/responsible-units/").json()["results"]]
    assert names == ["平定县供水管理局"]
    county = make_user("county", world.PINGDING)
    response = api(county).post(
        "/api/responsible-units/", {"name": "平定县民政局", "area_code": "140321"}, format="json"
    )
    assert response.status_code == 201
    response = api(village_user).post(
        "/api/responsible-units/", {"name": "平定县教育局", "area_code": "140321"}, format="json"
    )
    assert response.status_code == 403


def test_schema_lists_the_assistance_paths(api, village_user):
    paths = api(village_user).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in [
        "/api/measures/",
        "/api/measures/{id}/end/",
        "/api/plans/{id}/",
        "/api/responsible-units/",
        "/api/responsible-persons/",
        "/api/visits/",
        "/api/visit-coverage/",
        "/api/measure-items/",
    ]:
        assert path in paths, path


def test_bad_filter_values_are_ignored_not_errors(api, village_user):
    client = api(village_user)
    for path in ["/api/measures/", "/api/visits/", "/api/responsible-persons/"]:
        response = client.get(path, {"household": "abc", "unit": "x", "on": "2021-13-01", "month": "june"})
        assert response.status_code == 200, path

"""Household API (/api/households/, /api/members/, /api/incomes/): area scope, filters, writes through
the services (permission, version check, Chinese errors), ID numbers masked, OpenAPI schema."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from fanpin.core.masking import mask_values
from fanpin.core.models import AuditEvent
from fanpin.registry import idnumber
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.services.households import (
    household_create,
    household_update,
    income_record_set,
    member_add,
)

pytestmark = pytest.mark.django_db

QLZ = "140321201249"  # 秋林庄村, the village user's village
CHAKOU = "140321201204"  # 岔口村, same township
GUANSHAN = "140321100011"  # 冠山镇, same county
YUXIAN = "140322100101"  # 盂县, another county
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pd_county")


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return login


def make_household(code, village=QLZ, **fields):
    fields.setdefault("household_type", "一般农户")
    return household_create(actor="测试", code=code, village_code=village, **fields)


def add_member(household, name, seq, relation="户主", birth=date(1968, 3, 9)):
    return member_add(
        actor="测试",
        household=household,
        name=name,
        id_number=idnumber.make("140321", birth, seq),
        relation=relation,
    )


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(h["code"] for h in response.json()["results"])


# --- list -----------------------------------------------------------------------------------------


def test_list_returns_only_the_users_area(api, village_user, county_user):
    make_household("A-QLZ", QLZ)
    make_household("A-CK", CHAKOU)
    make_household("A-GS", GUANSHAN)
    make_household("A-YX", YUXIAN)
    response = api(village_user).get("/api/households/")
    assert codes(response) == ["A-QLZ"]
    assert response.json()["count"] == 1
    assert codes(api(county_user).get("/api/households/")) == ["A-CK", "A-GS", "A-QLZ"]
    # Asking for another county by filter returns nothing of it.
    assert codes(api(county_user).get("/api/households/", {"area": "140322"})) == []
    assert codes(api(village_user).get("/api/households/", {"area": CHAKOU})) == []


def test_list_filters(api, county_user):
    make_household("F-TYPE", household_type="脱贫户")
    make_household("F-CAT", category="边缘易致贫户", risk_types="因病|因学")
    make_household("F-HOUSE", house_grade="D")
    poor = make_household("F-POOR")
    add_member(poor, "王穷", 101)
    income_record_set(actor="测试", household=poor, year=2025, month=1, months=12, wage="6000")
    rich = make_household("140321201249000009")
    add_member(rich, "赵富", 102)
    income_record_set(actor="测试", household=rich, year=2025, month=1, months=12, wage="25000")
    make_household("F-GS", GUANSHAN, household_type="脱贫户")
    client = api(county_user)

    def get(**params):
        return codes(client.get("/api/households/", params))

    assert get(household_type="脱贫户") == ["F-GS", "F-TYPE"]
    assert get(category="边缘易致贫户") == ["F-CAT"]
    assert get(risk="因学") == ["F-CAT"]
    assert get(income_max="7100") == ["F-POOR"]
    assert get(income_min="7100") == ["140321201249000009"]
    # Text that parses as a number but is no amount is ignored like any other non-number (was a 500).
    assert get(income_min="Infinity", income_max="7100") == ["F-POOR"]
    assert get(income_min="NaN", income_max="7100") == ["F-POOR"]
    assert get(flag="house_unsafe") == ["F-HOUSE"]
    assert get(q="赵富") == ["140321201249000009"]
    assert get(q="140321201249000009") == ["140321201249000009"]
    assert get(area=GUANSHAN) == ["F-GS"]
    assert get(area="140321201", household_type="脱贫户") == ["F-TYPE"]


# --- create / update --------------------------------------------------------------------------------


def test_post_creates_a_household_in_the_area(api, village_user):
    response = api(village_user).post(
        "/api/households/",
        {"code": "API-1", "village_code": QLZ, "household_type": "脱贫户", "address": "秋林庄 8 号"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["village_code"], body["township_code"], body["version"]) == (
        "API-1",
        QLZ,
        "140321201",
        1,
    )
    h = Household.objects.get(code="API-1")
    assert (h.county_code, h.address) == ("140321", "秋林庄 8 号")
    assert AuditEvent.objects.get(action="household.create").actor == village_user


def test_post_outside_the_area_is_forbidden(api, village_user):
    response = api(village_user).post(
        "/api/households/",
        {"code": "API-2", "village_code": CHAKOU, "household_type": "脱贫户"},
        format="json",
    )
    assert response.status_code == 403
    assert not Household.objects.filter(code="API-2").exists()


def test_post_with_an_unknown_village_is_a_chinese_400(api, village_user):
    response = api(village_user).post(
        "/api/households/",
        {"code": "API-3", "village_code": "140321201999", "household_type": "脱贫户"},
        format="json",
    )
    assert response.status_code == 400
    assert "不存在" in response.json()["detail"]
    assert not Household.objects.filter(code="API-3").exists()


def test_inspector_cannot_write(api, make_user):
    inspector = make_user("inspector", "140321")
    h = make_household("API-4")
    client = api(inspector)
    assert codes(client.get("/api/households/")) == ["API-4"]
    response = client.post(
        "/api/households/",
        {"code": "API-5", "village_code": QLZ, "household_type": "脱贫户"},
        format="json",
    )
    assert response.status_code == 403
    assert client.patch(f"/api/households/{h.pk}/", {"phone": "1"}, format="json").status_code == 403
    assert not Household.objects.filter(code="API-5").exists()


def test_patch_with_a_stale_version_is_a_chinese_400(api, village_user, county_user):
    h = make_household("API-6")
    household_update(actor=county_user, household=h, version=1, phone="13500000000")
    response = api(village_user).patch(
        f"/api/households/{h.pk}/", {"version": 1, "phone": "13900000000"}, format="json"
    )
    assert response.status_code == 400
    assert "已被他人修改" in response.json()["detail"]
    h.refresh_from_db()
    assert (h.phone, h.version) == ("13500000000", 2)


def test_patch_with_the_current_version_saves(api, village_user):
    h = make_household("API-7")
    response = api(village_user).patch(
        f"/api/households/{h.pk}/", {"version": 1, "phone": "13900000000"}, format="json"
    )
    assert response.status_code == 200, response.content
    # The phone is saved in full but, being personal data, comes back masked.
    assert (response.json()["phone"], response.json()["version"]) == ("139****0000", 2)
    h.refresh_from_db()
    assert h.phone == "13900000000"
    event = AuditEvent.objects.get(action="household.update")
    assert "13900000000" not in str(event.after)  # personal data encrypted in the audit table too
    assert mask_values(event.after, show=True) == {"phone": "13900000000"}


def test_patch_with_a_version_that_is_not_a_number_is_a_400(api, village_user):
    h = make_household("API-6B")
    response = api(village_user).patch(
        f"/api/households/{h.pk}/", {"version": "abc", "phone": "13900000000"}, format="json"
    )
    assert response.status_code == 400
    assert "版本号" in response.json()["version"][0]
    h.refresh_from_db()
    assert (h.phone, h.version) == ("", 1)


def test_patch_of_a_household_outside_the_area_is_not_found(api, village_user):
    h = make_household("API-8", CHAKOU)
    response = api(village_user).patch(f"/api/households/{h.pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 404
    h.refresh_from_db()
    assert h.phone == ""


# --- members ----------------------------------------------------------------------------------------


def test_post_member_adds_it_and_answers_masked(api, village_user):
    h = make_household("API-M1")
    number = idnumber.make("140321", date(1975, 8, 20), 224)
    response = api(village_user).post(
        f"/api/households/{h.pk}/members/",
        {"name": "李梅", "id_number": number, "relation": "户主"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == f"{number[:6]}********{number[-4:]}"
    assert (body["sex"], body["birth_date"], body["household"]) == ("女", "1975-08-20", h.pk)
    m = Member.objects.get(household=h)
    assert m.id_number == number
    h.refresh_from_db()
    assert (h.size, h.head_name) == (1, "李梅")


def test_post_member_with_a_bad_id_is_a_chinese_400(api, village_user):
    h = make_household("API-M2")
    response = api(village_user).post(
        f"/api/households/{h.pk}/members/",
        {"name": "李梅", "id_number": "14032119750820224", "relation": "户主"},
        format="json",
    )
    assert response.status_code == 400
    assert "18 位" in response.json()["detail"]
    assert not Member.objects.exists()


def test_post_member_to_a_household_outside_the_area_is_refused(api, village_user):
    h = make_household("API-M3", CHAKOU)
    response = api(village_user).post(
        f"/api/households/{h.pk}/members/",
        {"name": "李梅", "id_number": idnumber.make("140321", date(1975, 8, 20), 224)},
        format="json",
    )
    assert response.status_code == 404
    assert not Member.objects.exists()


def test_member_list_masks_id_numbers_and_is_area_bound(api, village_user):
    h = make_household("API-M4")
    add_member(h, "张大山", 123)
    add_member(h, "李秀英", 246, relation="配偶", birth=date(1970, 1, 1))
    other = make_household("API-M5", CHAKOU)
    add_member(other, "外村人", 357)
    response = api(village_user).get("/api/members/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert sorted(m["name"] for m in results) == ["张大山", "李秀英"]
    for m in results:
        full = Member.objects.get(pk=m["id"]).id_number
        assert m["id_number"] == full[:6] + "*" * 8 + full[-4:]
        assert re.fullmatch(r"140321\*{8}\d{3}[\dX]", m["id_number"])
    assert not FULL_ID.search(response.content.decode())
    one = api(village_user).get(f"/api/members/{results[0]['id']}/")
    assert one.status_code == 200 and not FULL_ID.search(one.content.decode())


# --- incomes ----------------------------------------------------------------------------------------


def test_post_income_creates_a_record_and_changes_per_capita(api, village_user):
    h = make_household("API-I1")
    add_member(h, "张大山", 123)
    add_member(h, "李秀英", 246, relation="配偶", birth=date(1970, 1, 1))
    income_record_set(actor="测试", household=h, year=2025, month=1, months=12, wage="12000")
    h.refresh_from_db()
    assert h.per_capita_income == Decimal("6000.00")
    response = api(village_user).post(
        "/api/incomes/",
        {"household": h.pk, "year": 2026, "month": 1, "months": 12, "wage": "14000.10", "transfer": "1000"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["net"] == "15000.10"
    rec = IncomeRecord.objects.get(household=h, year=2026)
    assert (rec.months, rec.wage, rec.transfer) == (12, Decimal("14000.10"), Decimal("1000.00"))
    h.refresh_from_db()
    assert h.net_income == Decimal("15000.10")
    assert h.per_capita_income == Decimal("7500.05")
    listed = api(village_user).get("/api/incomes/", {"household": h.pk}).json()["results"]
    assert [(r["year"], r["net"]) for r in listed] == [(2025, "12000.00"), (2026, "15000.10")]


def test_post_income_for_the_same_month_again_corrects_it(api, village_user):
    h = make_household("API-I4")
    add_member(h, "张大山", 123)
    client = api(village_user)
    first = client.post(
        "/api/incomes/", {"household": h.pk, "year": 2025, "month": 3, "wage": "800"}, format="json"
    )
    assert first.status_code == 201, first.content
    again = client.post(
        "/api/incomes/", {"household": h.pk, "year": 2025, "month": 3, "wage": "850.50"}, format="json"
    )
    assert again.status_code == 201, again.content
    assert again.json()["id"] == first.json()["id"]
    rec = IncomeRecord.objects.get(household=h)
    assert rec.wage == Decimal("850.50")
    h.refresh_from_db()
    assert h.net_income == Decimal("850.50")
    assert [e.note for e in AuditEvent.objects.filter(action="income.set").order_by("id")] == ["新增", "更新"]


def test_post_income_with_an_absurd_amount_is_a_chinese_400(api, village_user):
    h = make_household("API-I2")
    response = api(village_user).post(
        "/api/incomes/", {"household": h.pk, "year": 2025, "month": 3, "wage": "200000000"}, format="json"
    )
    assert response.status_code == 400
    assert "超出合理范围" in response.json()["detail"]
    assert not IncomeRecord.objects.exists()


def test_post_income_for_a_household_outside_the_area_is_refused(api, village_user):
    h = make_household("API-I3", CHAKOU)
    response = api(village_user).post(
        "/api/incomes/", {"household": h.pk, "year": 2025, "month": 3, "wage": "100"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert not IncomeRecord.objects.exists()


# --- schema -----------------------------------------------------------------------------------------


def test_openapi_schema_has_household_member_and_income_paths(api, village_user):
    response = api(village_user).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/households/",
        "/api/households/{id}/",
        "/api/households/{household_id}/members/",
        "/api/members/",
        "/api/members/{id}/",
        "/api/incomes/",
    ]:
        assert path in paths, sorted(paths)
    assert "post" in paths["/api/households/"] and "patch" in paths["/api/households/{id}/"]
    assert "post" in paths["/api/households/{household_id}/members/"]
    assert "post" in paths["/api/incomes/"]
    params = {p["name"] for p in paths["/api/households/"]["get"]["parameters"]}
    assert {"household_type", "category", "risk", "income_min", "income_max", "flag", "q"} <= params

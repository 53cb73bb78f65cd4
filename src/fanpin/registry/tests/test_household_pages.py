"""Household pages (/households/): list with area scope and filters, detail, create/edit forms, member
form, and what a read-only inspector may not do."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanpin.core.models import AuditEvent
from fanpin.registry import idnumber
from fanpin.registry.models import Household, Member
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

LIST = "/households/"


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pd_county")


def make_household(code, village=QLZ, *, head=None, size_seq=0, **fields):
    fields.setdefault("household_type", "一般农户")
    h = household_create(actor="测试", code=code, village_code=village, **fields)
    if head:
        member_add(
            actor="测试",
            household=h,
            name=head,
            id_number=idnumber.make("140321", date(1960, 1, 1), 100 + size_seq),
            relation="户主",
        )
    return h


def listed_codes(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('id="households"') :]
    return re.findall(r'href="/households/\d+/">([^<]+)</a>', table)


def test_list_shows_only_households_of_the_users_area(client_for, village_user, county_user):
    make_household("QLZ-1", QLZ, head="张一", size_seq=1)
    make_household("QLZ-2", QLZ)
    make_household("CK-1", CHAKOU)
    make_household("GS-1", GUANSHAN)
    make_household("YX-1", YUXIAN)

    client = client_for(village_user)
    response = client.get(LIST)
    assert sorted(listed_codes(response)) == ["QLZ-1", "QLZ-2"]
    assert "共 2 户" in response.content.decode()
    assert "张一" in response.content.decode()

    client.force_login(county_user)
    response = client.get(LIST)
    assert sorted(listed_codes(response)) == ["CK-1", "GS-1", "QLZ-1", "QLZ-2"]
    assert "共 4 户" in response.content.decode()
    # An area filter cannot reach outside the user's own area.
    assert listed_codes(client.get(LIST, {"area": "140322"})) == []


def test_list_filters(client_for, county_user):
    make_household("F-TYPE", household_type="脱贫户")
    make_household("F-CAT", category="边缘易致贫户", risk_types="因病|因学")
    make_household("F-RISK", category="脱贫不稳定户", risk_types="因残")
    make_household("F-HOUSE", house_grade="C")
    make_household("F-DANGER", house_dangerous=True)
    poor = make_household("F-POOR", head="王穷", size_seq=1)
    rich = make_household("F-RICH", head="赵富", size_seq=2)
    income_record_set(actor="测试", household=poor, year=2025, month=1, months=12, wage="5000")
    income_record_set(actor="测试", household=rich, year=2025, month=1, months=12, wage="30000")
    make_household("F-WANG", head="王二", size_seq=3)
    client = client_for(county_user)

    def codes(**params):
        return sorted(listed_codes(client.get(LIST, params)))

    assert codes(household_type="脱贫户") == ["F-TYPE"]
    assert codes(category="边缘易致贫户") == ["F-CAT"]
    assert codes(risk="因残") == ["F-RISK"]
    assert codes(risk="因学") == ["F-CAT"]
    assert codes(income_max="7100") == ["F-POOR"]
    assert codes(income_min="7100") == ["F-RICH"]
    assert codes(income_min="4000", income_max="40000") == ["F-POOR", "F-RICH"]
    assert codes(flag="house_unsafe") == ["F-DANGER", "F-HOUSE"]
    assert codes(q="赵富") == ["F-RICH"]
    assert codes(q="王") == ["F-POOR", "F-WANG"]  # head name starts with
    response = client.get(LIST, {"household_type": "一般农户", "flag": "house_unsafe"})
    assert "共 2 户" in response.content.decode()


def test_list_search_by_household_code(client_for, county_user):
    make_household("140321201249000001")
    make_household("140321201249000002")
    client = client_for(county_user)
    assert listed_codes(client.get(LIST, {"q": "140321201249000002"})) == ["140321201249000002"]


def test_list_paginates_and_counts(client_for, county_user):
    for i in range(53):
        make_household(f"P-{i:03d}", [QLZ, CHAKOU, GUANSHAN][i % 3])
    client = client_for(county_user)
    first = client.get(LIST)
    assert "共 53 户" in first.content.decode()
    assert len(listed_codes(first)) == 50
    second = client.get(LIST, {"page": 2})
    assert listed_codes(second) == ["P-050", "P-051", "P-052"]


def test_list_query_count_does_not_grow_with_households(client_for, county_user):
    villages = [QLZ, CHAKOU, GUANSHAN]
    for i in range(10):
        make_household(f"Q-{i:03d}", villages[i % 3], head=f"户主{i}", size_seq=i)
    client = client_for(county_user)
    client.get(LIST)  # warm up the session and caches
    with CaptureQueriesContext(connection) as ten:
        assert len(listed_codes(client.get(LIST))) == 10
    for i in range(10, 60):
        make_household(f"Q-{i:03d}", villages[i % 3], head=f"户主{i}", size_seq=i)
    with CaptureQueriesContext(connection) as sixty:
        assert len(listed_codes(client.get(LIST))) == 50
    assert len(sixty.captured_queries) <= len(ten.captured_queries), [
        q["sql"] for q in sixty.captured_queries
    ]


def test_detail_shows_members_incomes_chart_and_history(client_for, village_user):
    h = household_create(actor=village_user, code="D-1", village_code=QLZ, household_type="脱贫户")
    member_add(
        actor=village_user,
        household=h,
        name="张大山",
        id_number=idnumber.make("140321", date(1968, 3, 9), 123),
        relation="户主",
    )
    member_add(
        actor=village_user,
        household=h,
        name="李秀英",
        id_number=idnumber.make("140321", date(1970, 5, 6), 246),
        relation="配偶",
    )
    income_record_set(actor=village_user, household=h, year=2025, month=1, months=12, wage="12000.50")
    income_record_set(actor=village_user, household=h, year=2026, month=2, wage="800", transfer="150.25")
    household_update(
        actor=village_user, household=h, version=Household.objects.get(pk=h.pk).version, phone="13912345678"
    )

    response = client_for(village_user).get(f"/households/{h.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    members = html[html.index('id="members"') : html.index('id="incomes"')]
    assert "张大山" in members and "李秀英" in members and "户主" in members and "1968-03-09" in members
    incomes = html[html.index('id="incomes"') : html.index('id="history"')]
    assert "2025-01（全年）" in incomes and "12000.50" in incomes
    assert "2026-02" in incomes and "950.25" in incomes  # 纯收入 of the month

    chart_match = re.search(r'<script id="income-chart-data" type="application/json">(.*?)</script>', html)
    chart = json.loads(chart_match.group(1))
    assert chart["labels"] == ["2025-01（全年）", "2026-02"]
    assert chart["net"] == [12000.5, 950.25]
    assert chart["wage"] == [12000.5, 800.0]
    assert chart["transfer"] == [0.0, 150.25]

    history = html[html.index('id="history"') :]
    assert "qlz_village" in history  # who
    assert "household.create" in history and "household.update" in history  # what
    assert "phone=139****5678" in history  # what changed, with the phone masked (personal data)
    assert "member.add" in history and "income.set" in history
    h.refresh_from_db()
    assert str(h.per_capita_income) in html


def test_detail_of_a_household_outside_the_area_is_not_found(client_for, village_user):
    other = make_household("OUT-1", CHAKOU)
    assert client_for(village_user).get(f"/households/{other.pk}/").status_code == 404


def test_create_form_with_a_bad_village_code_shows_a_chinese_error(client_for, village_user):
    client = client_for(village_user)
    assert client.get("/households/new/").status_code == 200
    response = client.post(
        "/households/new/",
        {"code": "NEW-1", "village_code": "140321201999", "household_type": "一般农户"},
    )
    assert response.status_code == 200
    assert "村代码“140321201999”不存在" in response.content.decode()
    assert not Household.objects.filter(code="NEW-1").exists()


def test_create_form_refuses_a_village_outside_the_area(client_for, village_user):
    response = client_for(village_user).post(
        "/households/new/", {"code": "NEW-2", "village_code": CHAKOU, "household_type": "一般农户"}
    )
    assert response.status_code == 200
    assert "该村不在您的管辖范围内" in response.content.decode()
    assert not Household.objects.filter(code="NEW-2").exists()


def test_create_form_creates_and_redirects(client_for, village_user):
    response = client_for(village_user).post(
        "/households/new/",
        {"code": "NEW-3", "village_code": QLZ, "household_type": "脱贫户", "address": "秋林庄 3 号"},
    )
    h = Household.objects.get(code="NEW-3")
    assert response.status_code == 302 and response["Location"] == f"/households/{h.pk}/"
    assert (h.township_code, h.address) == ("140321201", "秋林庄 3 号")
    assert AuditEvent.objects.filter(action="household.create", object_id=str(h.pk)).exists()


def test_edit_form_detects_a_concurrent_edit(client_for, village_user, county_user):
    h = make_household("E-1", address="旧地址")
    client = client_for(village_user)
    page = client.get(f"/households/{h.pk}/edit/").content.decode()
    seen = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert seen == 1

    # Meanwhile the county clerk saves a change.
    household_update(actor=county_user, household=h, version=seen, address="县里改的地址")

    response = client.post(
        f"/households/{h.pk}/edit/",
        {"version": seen, "village_code": QLZ, "household_type": "一般农户", "address": "村里改的地址"},
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    h.refresh_from_db()
    assert (h.address, h.version) == ("县里改的地址", 2)

    # With the current version the save goes through.
    response = client.post(
        f"/households/{h.pk}/edit/",
        {"version": 2, "village_code": QLZ, "household_type": "一般农户", "address": "村里改的地址"},
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert (h.address, h.version) == ("村里改的地址", 3)


def test_member_form_with_a_bad_id_shows_the_reason(client_for, village_user):
    h = make_household("M-1")
    good = idnumber.make("140321", date(1968, 3, 9), 123)
    bad = good[:17] + ("0" if good[-1] != "0" else "1")
    response = client_for(village_user).post(
        f"/households/{h.pk}/members/new/",
        {"name": "张大山", "id_type": "居民身份证", "id_number": bad, "relation": "户主", "health": "健康"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验位错误" in html and f"应为“{good[-1]}”" in html
    assert not Member.objects.exists()


def test_member_form_adds_a_member(client_for, village_user):
    h = make_household("M-2")
    number = idnumber.make("140321", date(1980, 2, 29), 222)
    response = client_for(village_user).post(
        f"/households/{h.pk}/members/new/",
        {"name": "李梅", "id_type": "居民身份证", "id_number": number, "relation": "户主", "health": "健康"},
    )
    assert response.status_code == 302
    m = Member.objects.get(household=h)
    assert (m.birth_date, m.sex) == (date(1980, 2, 29), "女")
    h.refresh_from_db()
    assert (h.size, h.head_name) == (1, "李梅")


def test_inspector_has_no_create_button_and_gets_403(client_for, make_user):
    make_household("I-1")
    inspector = make_user("inspector", "140321")
    client = client_for(inspector)
    response = client.get(LIST)
    assert listed_codes(response) == ["I-1"]  # may read
    assert "新增农户" not in response.content.decode()
    assert client.get("/households/new/").status_code == 403
    assert (
        client.post(
            "/households/new/", {"code": "I-2", "village_code": QLZ, "household_type": "一般农户"}
        ).status_code
        == 403
    )
    assert not Household.objects.filter(code="I-2").exists()


def test_editor_sees_the_create_button(client_for, village_user):
    assert "新增农户" in client_for(village_user).get(LIST).content.decode()


def test_edit_form_cannot_change_the_monitoring_status(client_for, village_user):
    """Category and identification month come from casework's approvals (or the national file), not the form."""
    h = make_household("E-2", address="旧地址")
    client = client_for(village_user)
    page = client.get(f"/households/{h.pk}/edit/").content.decode()
    assert "由“识别与消除”业务审批后写入" in page
    response = client.post(
        f"/households/{h.pk}/edit/",
        {
            "version": 1, "village_code": QLZ, "household_type": "一般农户", "address": "新地址",
            "category": "边缘易致贫户", "identified_month": "202401",
        },
    )  # fmt: skip
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.address == "新地址"
    assert (h.category, h.identified_month) == ("", "")

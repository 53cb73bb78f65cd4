"""The ledger API: generated per ledger, same validation as the pages, scoped, masked, one schema."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fanpin.accounts.choices import Role
from fanpin.ledgers.tests.people import VILLAGE, person

pytestmark = pytest.mark.django_db


def test_create_refused_with_column_errors_then_accepted(client, make_user):
    client.force_login(make_user(Role.COUNTY, "140321"))
    _h, m = person(born=date(1980, 1, 1))
    body = {
        "id_number": m.id_number,
        "amount": "60000",
        "term_months": 36,
        "use": "养殖业",
        "disbursed_on": "2024-06-01",
    }
    response = client.post("/api/ledgers/loans/", body, content_type="application/json")
    assert response.status_code == 400
    assert "50,000" in response.json()["amount"][0]
    response = client.post(
        "/api/ledgers/loans/", {**body, "amount": "40000"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["area_code"] == VILLAGE and data["amount"] == "40000.00"
    assert data["id_number"] == m.id_number[:6] + "********" + m.id_number[-4:]
    assert data["borrower"] == "张三"
    # Partial update keeps the other columns.
    response = client.patch(
        f"/api/ledgers/loans/{data['id']}/", {"overdue": True}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["overdue"] is True and response.json()["amount"] == "40000.00"


def test_list_is_scoped_and_readers_cannot_write(client, make_user):
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.services import ledger_entry_create

    for area in ("140321", "140322"):
        ledger_entry_create(
            actor="测试",
            ledger=get_ledger("consumption"),
            values={
                "area": area,
                "sold_on": "2025-01-01",
                "channel": "展销会",
                "products": "x",
                "amount": "10",
            },
        )
    client.force_login(make_user(Role.COUNTY, "140321"))
    data = client.get("/api/ledgers/consumption/").json()
    assert data["count"] == 1 and data["results"][0]["area_code"] == "140321"
    client.force_login(make_user(Role.INSPECTOR, "1403"))
    assert client.get("/api/ledgers/consumption/").json()["count"] == 2
    response = client.post(
        "/api/ledgers/consumption/", {"area_code": "140321"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_project_transition_through_the_api(client, make_user):
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.services import ledger_entry_create

    project = ledger_entry_create(
        actor="测试",
        ledger=get_ledger("projects"),
        values={"area": VILLAGE, "name": "大棚", "year": 2025, "category": "产业发展"},
    )
    client.force_login(make_user(Role.TOWNSHIP, VILLAGE[:9]))
    response = client.post(
        f"/api/ledgers/projects/{project.pk}/transition/", {"step": "review"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "乡镇审核通过"
    response = client.post(
        f"/api/ledgers/projects/{project.pk}/transition/",
        {"step": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 403  # 县级审定 is the county's step


def test_one_openapi_schema_lists_every_ledger(client, make_user):
    from fanpin.ledgers.framework.definition import LEDGERS

    client.force_login(make_user(Role.PROVINCE, "14"))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for slug in LEDGERS:
        assert f"/api/ledgers/{slug}/" in schema["paths"]
    assert "/api/campaigns/{id}/" in schema["paths"]

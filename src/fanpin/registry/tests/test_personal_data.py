"""Personal data (ID numbers, phones, health) is masked by default; a permitted user reveals one
household at a time with a reason, and each reveal is an audit event."""

from datetime import date

import pytest

from fanpin.core.models import AuditEvent
from fanpin.registry import idnumber
from fanpin.registry.services.households import household_create, member_add

VILLAGE = "140321201249"
ID = idnumber.make("140321", date(1970, 5, 6), 123)
PHONE = "13812345678"


@pytest.fixture
def household(db):
    h = household_create(
        actor="测试", code="PD-1", village_code=VILLAGE, household_type="脱贫户", phone=PHONE
    )
    member_add(actor="测试", household=h, name="王某", relation="户主", id_number=ID, health="患大病")
    return h


def test_household_page_masks_id_phone_and_health(client, village_user, household):
    client.force_login(village_user)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert ID not in html and PHONE not in html and "患大病" not in html
    assert f"{ID[:6]}********{ID[-4:]}" in html
    assert "138****5678" in html
    assert "（受保护）" in html


def test_reveal_needs_a_reason_and_is_audited(client, village_user, household):
    client.force_login(village_user)
    url = f"/households/{household.pk}/reveal/"
    refused = client.post(url, {"reason": ""}).content.decode()
    assert "请填写查看完整个人信息的事由" in refused and ID not in refused
    assert not AuditEvent.objects.filter(action="personal.reveal").exists()

    shown = client.post(url, {"reason": "入户核实"}).content.decode()
    assert ID in shown and PHONE in shown and "患大病" in shown
    event = AuditEvent.objects.get(action="personal.reveal")
    assert (event.actor, event.note, event.subject) == (village_user, "入户核实", "PD-1")

    again = client.get(f"/households/{household.pk}/").content.decode()
    assert ID not in again, "the next view is masked again: one reveal, one view"


def test_roles_without_the_permission_cannot_reveal(client, make_user, household):
    inspector = make_user("inspector", "1403")
    client.force_login(inspector)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert "查看完整个人信息" not in html and ID not in html
    assert client.post(f"/households/{household.pk}/reveal/", {"reason": "看看"}).status_code == 403
    assert not AuditEvent.objects.filter(action="personal.reveal").exists()


def test_api_never_returns_personal_data_in_full(client, village_user, household):
    client.force_login(village_user)
    members = client.get(f"/api/members/?household={household.pk}").json()["results"]
    assert members[0]["id_number"] == f"{ID[:6]}********{ID[-4:]}"
    assert members[0]["health"] == "（受保护）"
    detail = client.get(f"/api/households/{household.pk}/").json()
    assert detail["phone"] == "138****5678"


def test_full_export_needs_the_permission(client, make_user):
    client.force_login(make_user("inspector", "1403"))
    assert client.get("/households/export/").status_code == 403
    client.force_login(make_user("county", "140321"))
    assert client.get("/households/export/").status_code == 200

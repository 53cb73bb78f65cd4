"""Audit events: written only inside a transaction; the audit page shows each user their area only."""

from __future__ import annotations

import pytest
from django.db import transaction

from fanpin.core.models import AuditEvent
from fanpin.core.selectors import audit_event_list
from fanpin.core.services.audit import audit_record


def test_audit_record_refuses_to_run_outside_a_transaction(django_db_setup, django_db_blocker):
    # No django_db mark: the test database is used in autocommit mode, with no transaction around.
    with django_db_blocker.unblock():
        assert not transaction.get_connection().in_atomic_block
        try:
            with pytest.raises(RuntimeError, match="transaction"):
                audit_record(actor="测试", action="test.outside", object_repr="事务外")
            assert not AuditEvent.objects.filter(action="test.outside").exists()
        finally:
            AuditEvent.objects.filter(action="test.outside").delete()


@pytest.mark.django_db
def test_audit_record_inside_a_transaction(village_user):
    with transaction.atomic():
        event = audit_record(
            actor=village_user,
            action="test.inside",
            obj=village_user,
            area_code="140321201249",
            after={"a": 1},
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == village_user
    assert stored.actor_name == "qlz_village"
    assert stored.object_type == "accounts.user"
    assert stored.object_id == str(village_user.pk)
    assert stored.after == {"a": 1}


@pytest.mark.django_db
def test_audit_record_rolled_back_with_the_change():
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor="测试", action="test.rollback")
        raise ValueError
    assert not AuditEvent.objects.filter(action="test.rollback").exists()


# --- the audit page -----------------------------------------------------------------------------

EVENTS = [
    # (action, area code, object shown in the list)
    ("user.login", "140321201249", "事件-秋林庄村"),
    ("user.lock", "140321", "事件-平定县"),
    ("divisions.load", "140321201", "事件-岔口乡"),
    ("user.login", "140181203", "事件-古交岔口乡"),
    ("user.login", "1403", "事件-阳泉市"),
    ("divisions.load", "", "事件-无区划"),
]
INSIDE_PINGDING = {"事件-秋林庄村", "事件-平定县", "事件-岔口乡"}


@pytest.fixture
def events(db):
    with transaction.atomic():
        for action, area, name in EVENTS:
            audit_record(actor="测试员", action=action, area_code=area, object_repr=name)


def shown(response) -> set[str]:
    html = response.content.decode()
    return {name for _a, _c, name in EVENTS if name in html}


@pytest.mark.django_db
def test_audit_page_forbidden_for_village_users(client_for, village_user, events):
    response = client_for(village_user).get("/audit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    assert not shown(response)


@pytest.mark.django_db
def test_audit_page_needs_login(client, events):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_county_user_sees_only_events_in_the_county(client_for, make_user, events):
    user = make_user("county", "140321", username="pingding")
    response = client_for(user).get("/audit/")
    assert response.status_code == 200
    assert "审计日志" in response.content.decode()
    assert shown(response) == INSIDE_PINGDING
    names = set(audit_event_list(user=user).values_list("object_repr", flat=True))
    assert INSIDE_PINGDING <= names
    assert not names & {"事件-古交岔口乡", "事件-阳泉市", "事件-无区划"}


@pytest.mark.django_db
def test_city_inspector_sees_the_whole_city(client_for, make_user, events):
    user = make_user("inspector", "1403", username="yq_inspector")
    response = client_for(user).get("/audit/")
    assert response.status_code == 200
    assert shown(response) == INSIDE_PINGDING | {"事件-阳泉市"}


@pytest.mark.django_db
def test_audit_filter_by_action(client_for, make_user, events):
    client = client_for(make_user("province", "14", username="shanxi"))
    assert shown(client.get("/audit/")) == {n for _a, c, n in EVENTS if c}
    assert shown(client.get("/audit/", {"action": "user.login"})) == {
        "事件-秋林庄村",
        "事件-古交岔口乡",
        "事件-阳泉市",
    }
    assert shown(client.get("/audit/", {"action": "divisions.load"})) == {"事件-岔口乡"}
    assert shown(client.get("/audit/", {"action": "user."})) == {
        "事件-秋林庄村",
        "事件-平定县",
        "事件-古交岔口乡",
        "事件-阳泉市",
    }
    response = client.get("/audit/", {"action": "nothing.like.this"})
    assert not shown(response)
    assert "暂无记录" in response.content.decode()


@pytest.mark.django_db
def test_audit_filter_by_actor(client_for, make_user, events):
    client = client_for(make_user("county", "140321", username="pingding"))
    assert shown(client.get("/audit/", {"actor": "测试员"})) == INSIDE_PINGDING
    assert not shown(client.get("/audit/", {"actor": "别人"}))


@pytest.mark.django_db
def test_audit_link_only_in_menu_of_users_who_may_see_it(client_for, village_user, make_user):
    assert 'href="/audit/"' not in client_for(village_user).get("/").content.decode()
    county = make_user("county", "140321", username="pingding")
    assert 'href="/audit/"' in client_for(county).get("/").content.decode()


@pytest.mark.django_db
def test_audit_buffer_writes_its_events_in_bulk_as_audit_record_would(village_user):
    from datetime import date
    from decimal import Decimal

    from fanpin.core.services.audit import AuditBuffer

    buffer = AuditBuffer(village_user)
    with transaction.atomic():
        buffer.add(
            action="test.bulk_update",
            object_type="registry.household",
            object_id="7",
            object_repr="王建国户（1403212012490001）" + "长" * 300,
            subject="1403212012490001",
            area_code="140321201249",
            changed={
                "size": (3, 2),
                "birth_date": (date(1968, 3, 15), None),
                "area": (Decimal("3.50"), None),
            },
            note="导入 f.xlsx 第 4 行",
        )
        buffer.add(action="test.bulk_create", object_type="registry.household", object_repr="刘福户")
        buffer.flush()
        buffer.flush()  # nothing left: writes nothing
    update, create = AuditEvent.objects.filter(action__startswith="test.bulk").order_by("id")
    assert update.actor == village_user and update.actor_name == "qlz_village"
    assert (update.object_type, update.object_id, update.subject, update.area_code) == (
        "registry.household",
        "7",
        "1403212012490001",
        "140321201249",
    )
    assert len(update.object_repr) == 200
    assert update.before == {"size": 3, "birth_date": "1968-03-15", "area": "3.50"}
    assert update.after == {"size": 2, "birth_date": None, "area": None}
    assert update.note == "导入 f.xlsx 第 4 行" and update.created_at is not None
    assert create.before is None and create.after is None and create.object_id == ""
    assert AuditBuffer("命令行").actor_name == "命令行"

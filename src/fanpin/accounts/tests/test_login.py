"""Logging in and out: Chinese pages, lockout, expiry, password change, idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from fanpin.accounts.models import LoginFailure, User
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Test@12345"
LOCKED = "已被锁定"  # only in the locked message
WRONG = "账号或密码不正确"


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def assert_goes_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- the login page -----------------------------------------------------------------------------


def test_login_page_is_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert "账号" in html and "密码" in html
    assert 'lang="zh-Hans"' in html


def test_pages_need_login(client):
    assert_goes_to_login(client.get("/"))
    assert_goes_to_login(client.get("/jobs/"))


def test_good_login_redirects_home_and_is_audited(client, village_user):
    response = login(client, "qlz_village")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in(client)
    event = AuditEvent.objects.get(action="user.login")
    assert event.actor == village_user
    assert event.area_code == "140321201249"
    home = client.get("/")
    assert home.status_code == 200
    assert "秋林庄村" in home.content.decode()


def test_wrong_password_is_refused_in_chinese(client, village_user):
    response = login(client, "qlz_village", "wrong-password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not logged_in(client)
    assert not AuditEvent.objects.filter(action="user.login").exists()
    assert LoginFailure.objects.filter(username="qlz_village").count() == 1


def test_unknown_user_is_refused_like_a_wrong_password(client):
    response = login(client, "nobody")
    assert WRONG in response.content.decode()
    assert not logged_in(client)


# --- lockout ------------------------------------------------------------------------------------


def fail_until_locked(client, username):
    """Wrong passwords until the page says the account is locked; returns the attempt number."""
    for attempt in range(1, 8):
        html = login(client, username, "wrong-password").content.decode()
        if LOCKED in html:
            return attempt
        assert WRONG in html
    raise AssertionError("never locked")


def test_five_wrong_passwords_lock_the_account(client, village_user):
    attempt = fail_until_locked(client, "qlz_village")
    assert attempt in (settings.FANPIN_LOGIN_MAX_FAILURES, settings.FANPIN_LOGIN_MAX_FAILURES + 1)
    village_user.refresh_from_db()
    assert village_user.is_locked
    assert AuditEvent.objects.filter(action="user.lock", object_id=str(village_user.pk)).count() == 1
    # even the right password is refused now
    response = login(client, "qlz_village")
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert f"{settings.FANPIN_LOGIN_LOCK_MINUTES} 分钟" in response.content.decode()
    assert not logged_in(client)
    assert not AuditEvent.objects.filter(action="user.login").exists()


def test_four_wrong_passwords_do_not_lock(client, village_user):
    for _ in range(settings.FANPIN_LOGIN_MAX_FAILURES - 1):
        assert LOCKED not in login(client, "qlz_village", "wrong-password").content.decode()
    response = login(client, "qlz_village")
    assert response.status_code == 302
    # a good login clears the failures: four more wrong ones still don't lock
    assert LoginFailure.objects.filter(username="qlz_village").count() == 0
    client.post("/accounts/logout/")
    for _ in range(settings.FANPIN_LOGIN_MAX_FAILURES - 1):
        assert LOCKED not in login(client, "qlz_village", "wrong-password").content.decode()
    assert login(client, "qlz_village").status_code == 302


def test_lock_of_one_account_does_not_affect_another(client, village_user, make_user):
    make_user("village", "140321201204", username="other_village")
    fail_until_locked(client, "qlz_village")
    assert login(client, "other_village").status_code == 302


def test_login_works_again_after_lock_time(client, village_user):
    fail_until_locked(client, "qlz_village")
    assert LOCKED in login(client, "qlz_village").content.decode()
    # let FANPIN_LOGIN_LOCK_MINUTES (and a bit) pass
    passed = timedelta(minutes=settings.FANPIN_LOGIN_LOCK_MINUTES, seconds=1)
    village_user.refresh_from_db()
    User.objects.filter(pk=village_user.pk).update(locked_until=village_user.locked_until - passed)
    LoginFailure.objects.filter(username="qlz_village").update(created_at=timezone.now() - passed)
    response = login(client, "qlz_village")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in(client)
    village_user.refresh_from_db()
    assert village_user.locked_until is None
    assert not LoginFailure.objects.filter(username="qlz_village").exists()


def test_lock_still_holds_just_before_lock_time(client, village_user):
    fail_until_locked(client, "qlz_village")
    village_user.refresh_from_db()
    almost = timedelta(minutes=settings.FANPIN_LOGIN_LOCK_MINUTES) - timedelta(seconds=30)
    User.objects.filter(pk=village_user.pk).update(locked_until=village_user.locked_until - almost)
    assert LOCKED in login(client, "qlz_village").content.decode()


# --- expired and deactivated accounts -----------------------------------------------------------


def test_expired_account_cannot_log_in(client, make_user):
    make_user(
        "village", "140321201249", username="expired", valid_until=timezone.now() - timedelta(minutes=1)
    )
    response = login(client, "expired")
    assert response.status_code == 200
    assert "已过有效期" in response.content.decode()
    assert not logged_in(client)


def test_account_valid_in_future_can_log_in(client, make_user):
    make_user("village", "140321201249", username="valid", valid_until=timezone.now() + timedelta(days=1))
    assert login(client, "valid").status_code == 302


def test_deactivated_account_cannot_log_in(client, village_user):
    User.objects.filter(pk=village_user.pk).update(is_active=False)
    response = login(client, "qlz_village")
    assert response.status_code == 200
    assert not logged_in(client)


@pytest.mark.parametrize(
    "change",
    [
        {"valid_until": timezone.now() - timedelta(seconds=1)},
        {"is_active": False},
        {"locked_until": timezone.now() + timedelta(minutes=15)},
    ],
    ids=["expired", "deactivated", "locked"],
)
def test_session_ends_when_account_stops_being_valid(client, village_user, change):
    assert login(client, "qlz_village").status_code == 302
    assert client.get("/").status_code == 200
    User.objects.filter(pk=village_user.pk).update(**change)
    response = client.get("/")
    assert_goes_to_login(response)
    assert not logged_in(client)
    page = client.get(response["Location"])
    assert "账号已过期、停用或被锁定" in page.content.decode()
    # the old session stays ended even if the account becomes valid again
    User.objects.filter(pk=village_user.pk).update(valid_until=None, is_active=True, locked_until=None)
    assert_goes_to_login(client.get("/"))


# --- password change ----------------------------------------------------------------------------


def test_password_change_works_and_is_audited(client, village_user):
    login(client, "qlz_village")
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Neu-Kennwort#2026",
            "new_password2": "Neu-Kennwort#2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    # still logged in after the change
    assert client.get("/").status_code == 200
    village_user.refresh_from_db()
    assert village_user.check_password("Neu-Kennwort#2026")
    assert (
        AuditEvent.objects.filter(action="user.password_change", object_id=str(village_user.pk)).count() == 1
    )
    client.post("/accounts/logout/")
    assert login(client, "qlz_village", PASSWORD).status_code == 200
    assert login(client, "qlz_village", "Neu-Kennwort#2026").status_code == 302


@pytest.mark.parametrize(
    "new_password, message",
    [("1234", "密码"), ("12345678901", "数字"), ("abc", "至少")],
)
def test_password_change_rejects_weak_password_in_chinese(client, village_user, new_password, message):
    login(client, "qlz_village")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert message in html
    # Django's own English texts must not reach the Chinese page
    assert "This password" not in html
    assert "password is too" not in html
    village_user.refresh_from_db()
    assert village_user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_password_change_needs_old_password(client, village_user):
    login(client, "qlz_village")
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "Neu-Kennwort#2026", "new_password2": "Neu-Kennwort#2026"},
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    village_user.refresh_from_db()
    assert village_user.check_password(PASSWORD)


# --- sessions -----------------------------------------------------------------------------------


def test_session_settings_give_30_minute_idle_timeout():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_expires_30_minutes_after_last_request(client, village_user):
    response = login(client, "qlz_village")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # The cookie itself lasts until the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE); the idle
    # timeout is kept on the server, where the session row expires 1800 s after the last request.
    assert cookie["max-age"] in ("", 1800, "1800")
    assert client.session.get_expiry_age() == 1800
    remaining = (_session_row(client).expire_date - timezone.now()).total_seconds()
    assert 1790 <= remaining <= 1800
    # each request pushes the expiry on (idle timeout, not an absolute one)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    response = client.get("/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME in response.cookies  # saved again on every request
    remaining = (_session_row(client).expire_date - timezone.now()).total_seconds()
    assert 1790 <= remaining <= 1800


def test_idle_session_is_logged_out(client, village_user):
    login(client, "qlz_village")
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert_goes_to_login(client.get("/"))


def test_logout_ends_the_session(client, village_user):
    login(client, "qlz_village")
    key = client.session.session_key
    response = client.post("/accounts/logout/")
    assert_goes_to_login(response)
    assert not Session.objects.filter(session_key=key).exists()
    assert not logged_in(client)
    assert_goes_to_login(client.get("/"))


def test_logout_by_get_is_not_allowed(client, village_user):
    login(client, "qlz_village")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


# --- what the login page tells a stranger ---------------------------------------------------------


def test_wrong_password_of_an_expired_account_says_only_wrong_password(client, make_user):
    make_user(
        "village", "140321201249", username="expired", valid_until=timezone.now() - timedelta(minutes=1)
    )
    html = login(client, "expired", "wrong-password").content.decode()
    assert WRONG in html and "已过有效期" not in html


def test_unknown_name_and_real_account_lock_alike(client, village_user):
    """Five wrong passwords for a name that has no account give the same pages as for a real one."""
    real = fail_until_locked(client, "qlz_village")
    ghost = fail_until_locked(client, "no_such_user")
    assert real == ghost
    assert LOCKED in login(client, "no_such_user").content.decode()


def test_locked_account_with_wrong_password_still_says_locked_not_more(client, village_user):
    fail_until_locked(client, "qlz_village")
    html = login(client, "qlz_village", "another-wrong").content.decode()
    assert LOCKED in html and "已过有效期" not in html

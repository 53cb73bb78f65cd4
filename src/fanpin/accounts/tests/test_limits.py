"""Limits on guessing and on hammering: failed logins per address, API requests per user, the security
headers every page carries, and Django's deployment check with the production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import UserRateThrottle

from fanpin.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Test@12345"


def test_one_address_trying_many_names_is_stopped(client, village_user):
    limit = settings.FANPIN_LOGIN_MAX_FAILURES_PER_IP
    for n in range(limit):  # a different name each time: no single account reaches its own lock
        page = client.post(LOGIN, {"username": f"guess{n}", "password": "123456"}, REMOTE_ADDR="10.0.0.9")
        assert "本机登录失败次数过多" not in page.content.decode()
    assert LoginFailure.objects.filter(ip="10.0.0.9").count() == limit
    # Now even a real account with its right password is refused from that address …
    page = client.post(LOGIN, {"username": "qlz_village", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert page.status_code == 200 and "本机登录失败次数过多" in page.content.decode()
    # … and not from another one.
    page = client.post(LOGIN, {"username": "qlz_village", "password": PASSWORD}, REMOTE_ADDR="10.0.0.10")
    assert page.status_code == 302


def test_api_requests_beyond_the_rate_are_refused_in_chinese(client, village_user, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "5/min"})
    cache.clear()
    client.force_login(village_user)
    answers = [client.get("/api/me/", HTTP_ACCEPT="application/json").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    body = client.get("/api/me/", HTTP_ACCEPT="application/json").json()
    assert "请求" in body["detail"] or "限" in body["detail"]
    cache.clear()


def test_every_page_carries_a_strict_content_security_policy(client, village_user):
    for url in (LOGIN, "/api/docs/"):
        if url != LOGIN:
            client.force_login(village_user)
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"


def test_deployment_check_is_clean_with_the_production_settings(tmp_path):
    # As a server is started: not with the test run's DJANGO_ALLOW_ASYNC_UNSAFE (Playwright's tests set it).
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="fanpin.settings.production",
        FANPIN_SECRET_KEY=secrets.token_urlsafe(50),
        FANPIN_HOME=str(tmp_path),
        FANPIN_ALLOWED_HOSTS="fanpin.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "-m", "fanpin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_nul_character_in_a_link_is_refused_plainly(client, village_user):
    client.force_login(village_user)
    response = client.get("/households/", {"q": "王\x00"})
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()

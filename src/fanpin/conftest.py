"""Shared test fixtures. The test database gets the real Shanxi divisions once per run; each test
then runs in a transaction that is rolled back."""

from __future__ import annotations

import os

import pytest

# Browser-test fixtures (one `fanpin demo` server and one Chromium for the whole run): demo_server,
# chromium, new_page. Defined once here so every test module shares the same server.
from fanpin.core.tests.browser_server import chromium, demo_server, new_page  # noqa: E402, F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

# Encryption keys for the test run (core/crypto.py): fresh random keys in the environment, inherited by
# the `fanpin` subprocesses some tests start. Tests of key files and missing keys clear them.
if not os.environ.get("FANPIN_DATA_KEYS"):
    import base64 as _b64

    os.environ["FANPIN_DATA_KEYS"] = "ktest:" + _b64.b64encode(os.urandom(32)).decode()
    os.environ["FANPIN_INDEX_KEY"] = "itest:" + _b64.b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from fanpin.divisions.services.load import divisions_load_shanxi

    with django_db_blocker.unblock():
        divisions_load_shanxi(actor="测试")
    yield


@pytest.fixture
def make_user(db):
    """make_user(role, area_code, username=None, password=...) -> User"""
    from fanpin.accounts.services.users import user_create

    counter = {"n": 0}

    def make(
        role: str, area_code: str | None, *, username: str | None = None, password: str = "Test@12345", **kw
    ):
        counter["n"] += 1
        return user_create(
            actor="测试",
            username=username or f"{role}_{area_code or 'all'}_{counter['n']}",
            password=password,
            role=role,
            area_code=area_code,
            check_password=False,
            **kw,
        )

    return make


@pytest.fixture
def village_user(make_user):
    """The demo village: 平定县 岔口乡 秋林庄村."""
    return make_user("village", "140321201249", username="qlz_village")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login

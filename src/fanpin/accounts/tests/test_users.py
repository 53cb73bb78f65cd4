"""Creating accounts (role + area + expiry) and using them through the API with a token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from fanpin.accounts.models import User
from fanpin.accounts.services.users import user_create
from fanpin.cli import main
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def create(**kw):
    params = {
        "actor": "测试",
        "username": "zhangsan",
        "password": "Test@12345",
        "role": "county",
        "area_code": "140321",
    }
    params.update(kw)
    return user_create(**params)


def refused(**kw) -> str:
    users, audits = User.objects.count(), AuditEvent.objects.filter(action="user.create").count()
    with pytest.raises(ApplicationError) as info:
        create(**kw)
    assert User.objects.count() == users
    assert AuditEvent.objects.filter(action="user.create").count() == audits
    message = info.value.message
    assert CJK.search(message)
    return message


# --- user_create --------------------------------------------------------------------------------


def test_create_user_with_role_and_area():
    user = create(display_name="张三")
    assert user.role == "county"
    assert user.area_id == "140321"
    assert user.area_code == "140321"
    assert user.check_password("Test@12345")
    assert not user.is_staff
    assert user.has_role_permission("approve")
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(user.pk)
    assert event.area_code == "140321"
    assert event.actor_name == "测试"
    assert event.after["role"] == "county"
    assert event.after["area"] == "140321"


def test_audit_names_the_acting_user(make_user):
    admin = make_user("admin", "14", username="boss")
    user = create(actor=admin)
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == admin
    assert event.actor_name == "boss"


def test_unknown_role_is_refused():
    message = refused(role="mayor")
    assert "mayor" in message
    assert "未知角色" in message


def test_unknown_area_is_refused():
    message = refused(area_code="149999")
    assert "149999" in message
    assert "不存在" in message


def test_missing_area_is_refused_except_for_admin():
    assert "区划" in refused(area_code=None)
    admin = create(username="root", role="admin", area_code=None)
    assert admin.is_staff
    assert admin.area_code is None  # not a superuser: sees nothing, not everything


def test_county_role_on_village_area_is_refused():
    message = refused(role="county", area_code="140321201249")
    assert "县级工作人员" in message
    assert "应为县级" in message
    assert "村级" in message


@pytest.mark.parametrize(
    "role, area",
    [("province", "1403"), ("city", "14"), ("township", "140321"), ("village", "140321201")],
)
def test_staff_roles_need_an_area_of_their_level(role, area):
    assert "级" in refused(role=role, area_code=area)


@pytest.mark.parametrize("role", ["department", "inspector", "admin"])
def test_other_roles_may_sit_at_any_level(role):
    assert create(role=role, area_code="140321201").area_id == "140321201"


def test_duplicate_username_is_refused():
    create()
    message = refused(area_code="1403", role="city")
    assert "zhangsan" in message
    assert "已存在" in message
    assert User.objects.get(username="zhangsan").area_id == "140321"


@pytest.mark.parametrize("password", ["short1!", "12345678901", "password123"])
def test_weak_password_is_refused_in_chinese(password):
    message = refused(password=password)
    assert message.startswith("密码不符合要求")
    assert "password" not in message.lower().replace(password, "")


# --- the command line ---------------------------------------------------------------------------


def test_cli_users_create(capsys):
    args = ["users", "create", "--username", "lisi", "--role", "township", "--area", "140321201"]
    assert main([*args, "--password", "Kennwort#2026", "--name", "李四"]) == 0
    out = capsys.readouterr().out
    assert "lisi" in out
    assert "岔口乡" in out
    user = User.objects.get(username="lisi")
    assert (user.role, user.area_id, user.display_name) == ("township", "140321201", "李四")


def test_cli_users_create_refused(capsys):
    assert main(["users", "create", "--username", "lisi", "--role", "county", "--area", "140321201",
                 "--password", "Kennwort#2026"]) == 1  # fmt: skip
    assert "应为县级" in capsys.readouterr().err
    assert not User.objects.filter(username="lisi").exists()


# --- API token ----------------------------------------------------------------------------------


@pytest.fixture
def county_user(make_user):
    return make_user("county", "140321", username="pingding", display_name="平定县用户")


def token_get(client, user, url):
    token, _ = Token.objects.get_or_create(user=user)
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_api_me_with_token(client, county_user):
    response = token_get(client, county_user, "/api/me/")
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "pingding"
    assert data["role"] == "county"
    assert data["role_name"] == "县级工作人员"
    assert data["area"] == "140321"
    assert data["area_name"] == "山西省阳泉市平定县"
    assert "approve" in data["permissions"]
    assert "manage_users" not in data["permissions"]


def test_api_divisions_with_token_are_scoped(client, county_user):
    response = token_get(client, county_user, "/api/divisions/?q=岔口乡")
    assert response.status_code == 200
    codes = [d["code"] for d in response.json()["results"]]
    assert codes == ["140321201"]  # not 古交市's 140181203
    assert token_get(client, county_user, "/api/divisions/140181203/").status_code == 404
    assert token_get(client, county_user, "/api/divisions/140321201/").json()["name"] == "岔口乡"


def test_api_without_credentials_is_refused(client):
    assert client.get("/api/me/").status_code in (401, 403)
    assert client.get("/api/me/", HTTP_AUTHORIZATION="Token not-a-real-key").status_code in (401, 403)


@pytest.mark.parametrize(
    "change",
    [
        {"valid_until": timezone.now() - timedelta(seconds=1)},
        {"is_active": False},
        {"locked_until": timezone.now() + timedelta(minutes=15)},
    ],
    ids=["expired", "deactivated", "locked"],
)
def test_api_token_of_invalid_account_is_refused(client, county_user, change):
    assert token_get(client, county_user, "/api/me/").status_code == 200
    User.objects.filter(pk=county_user.pk).update(**change)
    response = token_get(client, county_user, "/api/me/")
    assert response.status_code in (401, 403)
    assert "pingding" not in response.content.decode()
    assert token_get(client, county_user, "/api/divisions/").status_code in (401, 403)

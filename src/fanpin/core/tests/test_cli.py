"""The `fanpin` command's help, and the demo data it prepares (created once, however often it runs)."""

from __future__ import annotations

import pytest

from fanpin.accounts.models import User
from fanpin.cli import main
from fanpin.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_prepare, print_logins
from fanpin.divisions.models import Division

# The demo accounts as docs/README.md documents them: account, role, area (end of its full name).
DOCUMENTED = {
    "demo_province": ("省级工作人员", "14", "山西省"),
    "demo_city": ("市级工作人员", "1403", "阳泉市"),
    "demo_county": ("县级工作人员", "140321", "平定县"),
    "demo_township": ("乡镇工作人员", "140321201", "平定县岔口乡"),
    "demo_village": ("村级工作人员", "140321201249", "岔口乡秋林庄村"),
    "demo_department": ("行业部门数据专员", "140321", "平定县"),
    "demo_inspector": ("督查（只读）", "1403", "阳泉市"),
    "demo_admin": ("系统管理员", "14", "山西省"),
}


# --- help ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help to the terminal width


def run_help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main([*argv, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


def test_help_is_chinese_and_english(capsys):
    out = run_help(capsys)
    assert out.startswith("usage: fanpin")
    assert "防止返贫动态监测和帮扶" in out
    assert "dynamic monitoring and assistance" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip() and line.startswith("    ")}
    assert "启动网站" in lines["demo"] and "set up the demo database" in lines["demo"]
    assert "启动网站" in lines["serve"] and "serve the web app" in lines["serve"]
    for command in ("worker", "divisions", "users"):
        assert command in lines


def test_demo_help_lists_its_options(capsys):
    out = run_help(capsys, "demo")
    assert "--no-serve" in out
    assert "只准备数据" in out and "prepare data only" in out
    assert "--port" in out


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_unknown_option_is_an_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--no-such-option"])
    assert info.value.code == 2


# --- demo data ----------------------------------------------------------------------------------


def demo_users():
    return User.objects.filter(username__in=[u for u, *_ in DEMO_USERS])


@pytest.mark.django_db
def test_demo_users_match_the_documented_ones():
    assert [u for u, *_ in DEMO_USERS] == list(DOCUMENTED)


@pytest.mark.django_db
def test_demo_prepare_creates_the_demo_users_once():
    divisions = Division.objects.count()
    first = demo_prepare()
    assert "山西省行政区划已存在" in first
    assert "演示账号新增 8 个" in first
    assert demo_users().count() == 8
    second = demo_prepare()
    assert "演示账号新增 0 个" in second
    assert demo_users().count() == 8
    assert Division.objects.count() == divisions


@pytest.mark.django_db
def test_demo_users_have_the_documented_roles_and_areas():
    demo_prepare()
    for username, (role_label, area_code, area_name) in DOCUMENTED.items():
        user = User.objects.get(username=username)
        assert user.get_role_display() == role_label, username
        assert user.area_id == area_code, username
        assert area_name in user.area.full_name, username
        assert user.is_active and not user.is_expired
    assert User.objects.get(username="demo_village").area_id == "140321201249"
    assert User.objects.get(username="demo_admin").is_staff


@pytest.mark.django_db
def test_demo_users_log_in_with_the_demo_password(client):
    demo_prepare()
    response = client.post("/accounts/login/", {"username": "demo_village", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "秋林庄村" in home


@pytest.mark.django_db
def test_demo_prepare_keeps_an_existing_demo_user():
    demo_prepare()
    User.objects.filter(username="demo_city").update(display_name="改过的名字")
    User.objects.filter(username="demo_county").delete()
    summary = demo_prepare()
    assert "演示账号新增 1 个" in summary
    assert User.objects.get(username="demo_city").display_name == "改过的名字"
    assert User.objects.get(username="demo_county").area_id == "140321"


def test_print_logins_lists_every_demo_account(capsys):
    print_logins(host="127.0.0.1", port=8123)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in out
    assert DEMO_PASSWORD in out
    for username in DOCUMENTED:
        assert username in out
    assert "140321201249" in out

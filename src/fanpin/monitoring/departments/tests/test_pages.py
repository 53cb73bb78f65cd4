"""The 部门数据 pages and API for a county data officer: upload, batch page with issues and the
unmatched list, the 生成预警线索 action; area scope; and `fanpin departments load` exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from fanpin.cli import main
from fanpin.core.jobs import job_run_now
from fanpin.core.models import Job
from fanpin.monitoring.departments.tests.files import HEADERS, load, write_csv
from fanpin.monitoring.models import DepartmentBatch, Lead
from fanpin.monitoring.tests.world import PINGDING, YUXIAN, household, policy_2025
from fanpin.registry import idnumber

pytestmark = pytest.mark.django_db
STRANGER = idnumber.make("140321", date(1990, 1, 1), 777)


@pytest.fixture(autouse=True)
def _policy(db):
    policy_2025()


@pytest.fixture
def officer(make_user):
    return make_user("county", PINGDING, username="pd_data")


def test_upload_page_batch_page_and_match_action(client, officer, make_user, tmp_path):
    h = household("P1")
    member = h.members.first()
    path = write_csv(
        tmp_path,
        "住建10月.csv",
        HEADERS["housing"],
        [[member.id_number, member.name, "D"], [STRANGER, "新来的人", "C"], ["123", "坏号码", "C"]],
    )
    client.force_login(officer)
    with open(path, "rb") as f:
        response = client.post(
            reverse("monitoring:department_list"),
            {"source": "housing", "month": "2025-10", "area": PINGDING, "file": f},
        )
    assert response.status_code == 302
    job_run_now(Job.objects.get(kind="departments.load"))
    batch = DepartmentBatch.objects.get()
    page = client.get(reverse("monitoring:department_detail", args=[batch.pk])).content.decode()
    assert "已读取" in page and "身份证号码应为 18 位，实际 3 位" in page
    assert "新来的人" not in page and "生成预警线索后列出" in page  # matching comes next
    response = client.post(reverse("monitoring:department_match", args=[batch.pk]))
    assert response.status_code == 302
    job_run_now(Job.objects.get(kind="departments.match"))
    lead = Lead.objects.get(source="housing")
    assert lead.household_id == h.pk and lead.reason == "住建数据：住房鉴定为 D 级危房"
    page = client.get(reverse("monitoring:department_detail", args=[batch.pk])).content.decode()
    assert "已生成线索" in page and "1 条" in page
    assert "新来的人" in page and STRANGER in page  # the unmatched list; county staff see personal data
    client.force_login(make_user("department", PINGDING))
    page = client.get(reverse("monitoring:department_detail", args=[batch.pk])).content.decode()
    assert "新来的人" in page and STRANGER[:6] + "********" + STRANGER[-4:] in page and STRANGER not in page


def test_upload_refusals_are_shown_on_the_page(client, officer, tmp_path):
    path = write_csv(tmp_path, "医保.csv", ["证件号码", "姓名", "金额"], [[STRANGER, "甲", "1"]])
    client.force_login(officer)
    with open(path, "rb") as f:
        response = client.post(
            reverse("monitoring:department_list"),
            {"source": "medical", "month": "2025-10", "area": PINGDING, "file": f},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "缺少列 个人自付金额、医疗总费用、年度或结算月份" in body
    with open(path, "rb") as f:
        response = client.post(
            reverse("monitoring:department_list"),
            {"source": "medical", "month": "2025-10", "area": YUXIAN[:6], "file": f},
        )
    assert "该区划不在您的管辖范围内" in response.content.decode()
    assert not DepartmentBatch.objects.exists()


def test_pages_and_api_show_only_the_users_area(client, officer, make_user, tmp_path):
    mine = load(write_csv(tmp_path, "a.csv", HEADERS["housing"], [[STRANGER, "甲", "C"]]), "housing")
    theirs = load(
        write_csv(tmp_path, "b.csv", HEADERS["housing"], [[STRANGER, "乙", "D"]]), "housing", area=YUXIAN[:6]
    )
    client.force_login(officer)
    data = json.loads(client.get("/api/department-batches/", HTTP_ACCEPT="application/json").content)
    assert [b["id"] for b in data["results"]] == [mine.pk]
    assert data["results"][0]["counts"]["unmatched"] == 1
    assert client.get(f"/api/department-batches/{theirs.pk}/").status_code == 404
    assert client.get(reverse("monitoring:department_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("monitoring:department_match", args=[theirs.pk])).status_code == 404
    village = make_user("village", "140321201249")
    client.force_login(village)
    assert client.get(reverse("monitoring:department_detail", args=[mine.pk])).status_code == 404
    assert client.post(reverse("monitoring:department_match", args=[mine.pk])).status_code == 403


def test_cli_loads_matches_and_prints_json(tmp_path, capsys):
    h = household("L1")
    member = h.members.first()
    path = write_csv(tmp_path, "rs.csv", HEADERS["employment"], [[member.id_number, member.name, "失业"]])
    code = main(
        [
            "departments",
            "load",
            "--source",
            "employment",
            str(path),
            "--month",
            "2025-10",
            "--area",
            PINGDING,
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["status"] == "matched" and out["counts"]["leads"] == 1 and out["counts"]["kept"] == 1
    assert Lead.objects.get(source="employment").reason == "人社数据：1 人失业"

    code = main(
        [
            "departments",
            "load",
            "--source",
            "employment",
            str(path),
            "--month",
            "2025-11",
            "--area",
            PINGDING,
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["status"] == "refused" and "不能重复导入" in out["error"]

    wrong = write_csv(tmp_path, "wrong.csv", ["证件号码", "姓名"], [[member.id_number, member.name]])
    code = main(["departments", "load", "--source", "employment", str(wrong), "--area", PINGDING])
    assert code == 1 and "缺少列 就业状态" in capsys.readouterr().err
    code = main(["departments", "load", "--source", "tax", str(wrong), "--area", PINGDING])
    assert code == 1 and "部门数据来源应为" in capsys.readouterr().err
    assert DepartmentBatch.objects.count() == 1

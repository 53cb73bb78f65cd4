"""Pages: the queue per level, the case page with the actions the user may take, the household page's
section with the timeline, the overdue list, and the public notice PDF (head's name, never ID or phone)."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanpin.casework.choices import CaseStatus, DocumentKind
from fanpin.casework.services.cases import case_act, case_open
from fanpin.casework.tests.world import HEAD, ID_HEAD, PHONE, QLZ, document, pingding_household
from fanpin.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(make_user):
    return {
        "village": make_user("village", QLZ, username="qlz"),
        "township": make_user("township", QLZ[:9], username="xiang"),
        "county": make_user("county", "140321", username="xian"),
        "inspector": make_user("inspector", "1403", username="ducha"),
    }


def at_notice(users, h, on=date(2021, 6, 1)):
    v = users["village"]
    case = case_open(
        actor=v,
        household=h,
        kind="identification",
        channel="cadre",
        on=on,
        summary="排查发现",
        category="脱贫不稳定户",
        risk_types=["因病", "因残"],
    )
    document(v, case)
    case = case_act(actor=v, case=case, action="verify", on=date(2021, 6, 2), reason="属实")
    document(v, case, DocumentKind.MEETING_RECORD, "会议记录.pdf")
    return case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 3))


def test_notice_pdf_shows_the_head_and_never_the_id_number_or_phone(client, users, tmp_path):
    h = pingding_household()
    case = at_notice(users, h)
    client.force_login(users["village"])
    response = client.get(f"/cases/{case.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert HEAD in text and "秋林庄村" in text and "脱贫不稳定户" in text
    assert "2021年6月3日" in text and "2021年6月8日" in text
    compact = text.replace(" ", "")
    assert ID_HEAD not in compact and ID_HEAD[:6] + "19" not in compact and PHONE not in compact
    for word in ("长期慢性病", "患大病", "残疾", "因病", "因残"):  # health conditions stay off the notice
        assert word not in compact


def test_case_page_offers_only_the_users_own_step(client, users):
    h = pingding_household()
    case = at_notice(users, h)
    client.force_login(users["village"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-close_notice"' in page and 'id="act-review"' not in page
    client.force_login(users["township"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-close_notice"' in page  # township staff also hold 录入 (EDIT); review comes after
    client.force_login(users["inspector"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="actions"' not in page and 'id="upload"' not in page


def test_a_refused_step_shows_the_rule_on_the_page(client, users):
    h = pingding_household()
    case = at_notice(users, h)
    client.force_login(users["village"])
    response = client.post(
        f"/cases/{case.pk}/act/", {"action": "close_notice", "on": "2021-06-05"}, follow=True
    )
    page = response.content.decode()
    assert "【公示期不少于 5 天】" in page and "仅 2 天" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE


def test_village_records_a_clue_from_the_household_page_and_sees_the_timeline(client, users):
    h = pingding_household()
    client.force_login(users["village"])
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert 'id="open-identification"' in page and "暂无识别或消除业务" in page
    response = client.post(
        f"/cases/new/{h.pk}/?kind=identification",
        {
            "kind": "identification",
            "channel": "application",
            "on": "2021-06-01",
            "summary": "户主书面申请：医疗支出大",
            "category": "脱贫不稳定户",
            "risk_types": ["因病", "因残"],
        },
    )
    assert response.status_code == 302
    case_url = response["Location"]
    upload = client.post(
        case_url + "documents/", {"kind": "authorisation", "file": SimpleUploadedFile("授权书.jpg", b"jpeg")}
    )
    assert upload.status_code == 302
    client.post(case_url + "act/", {"action": "verify", "on": "2021-06-02", "reason": "入户核实属实"})
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "完成入户核实" in page and "授权书.jpg" in page and "入户核实属实" in page and "qlz" in page


def test_queue_per_level_and_overdue_list(client, users):
    h = pingding_household()
    case = at_notice(users, h)
    client.force_login(users["village"])
    mine = client.get("/cases/?level=village").content.decode()
    assert f"/cases/{case.pk}/" in mine and "逾期" in mine
    client.force_login(users["county"])
    theirs = client.get("/cases/?level=county").content.decode()
    assert f"/cases/{case.pk}/" not in theirs
    overdue = client.get("/cases/overdue/").content.decode()
    assert f"/cases/{case.pk}/" not in overdue  # the county's list holds county steps only
    client.force_login(users["village"])
    overdue = client.get("/cases/overdue/").content.decode()
    assert f"/cases/{case.pk}/" in overdue


def test_a_stale_second_approval_is_refused_and_the_case_row_is_locked(users):
    h = pingding_household()
    case = at_notice(users, h)
    case = case_act(actor=users["village"], case=case, action="close_notice", on=date(2021, 6, 8))
    case = case_act(actor=users["township"], case=case, action="review", on=date(2021, 6, 9))
    stale = type(case).objects.get(pk=case.pk)  # a second county clerk opened the same page
    with CaptureQueriesContext(connection) as queries:
        case_act(actor=users["county"], case=case, action="approve", on=date(2021, 6, 10))
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in q["sql"] and "casework_case" in q["sql"] for q in queries.captured_queries)
    with pytest.raises(ApplicationError, match="【办理顺序】.*已纳入监测"):
        case_act(actor=users["county"], case=stale, action="approve", on=date(2021, 6, 10))
    assert case.steps.filter(action="approve").count() == 1

"""The assistance plan (一户一策) and the visit record form as PDF: the household's own data, masked."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from fanpin.casework.tests.world import HEAD, PHONE, give_measure, pingding_household
from fanpin.core.masking import mask_id, mask_phone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed"),
]


def _text(response, tmp_path) -> str:
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "doc.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


@pytest.fixture
def household():
    from fanpin.assistance.services.visits import visit_record

    h = pingding_household(category="脱贫不稳定户", identified_month="202106", risk_types="因病|因残")
    h = give_measure(h, item="公益性岗位", start=date(2021, 7, 1))
    visit_record(
        actor="测试",
        household=h,
        visited_on=date(2025, 9, 12),
        visitors="王建国",
        findings="儿子务工收入稳定",
    )
    return h


def test_plan_pdf_has_the_household_its_measures_and_helpers_masked(
    household, make_user, client_for, tmp_path
):
    client = client_for(make_user("village", "140321201249"))
    text = _text(client.get(reverse("reports:household_plan_pdf", args=[household.pk])), tmp_path)
    assert "一户一策" in text and HEAD in text and household.code in text
    assert "因病、因残" in text and "脱贫不稳定户" in text
    assert "公益性岗位" in text and "平定县供水管理局" in text and "王建国" in text
    assert "儿子务工收入稳定" in text and "2025-09-12" in text
    # Personal data masked. The head's number is read from the household: world.pingding_household gives
    # ID_HEAD only to the first household a test process makes (other tests may have made one before).
    head_id = household.members.get(relation="户主").id_number
    flat = "".join(text.split())
    assert mask_id(head_id) in flat and head_id not in flat
    assert PHONE not in flat and mask_phone("13812345678") in flat


def test_visit_form_is_prefilled_and_stays_in_the_area(household, make_user, client_for, tmp_path):
    client = client_for(make_user("township", "140321201"))
    text = _text(client.get(reverse("reports:household_visit_form", args=[household.pk])), tmp_path)
    assert "入户走访记录表" in text and HEAD in text and "两不愁三保障" in text
    assert "王建国（平定县供水管理局）" in text and "公益性岗位" in text
    outsider = client_for(make_user("township", "140321100"))  # 冠山镇: another township
    assert outsider.get(reverse("reports:household_plan_pdf", args=[household.pk])).status_code == 404
    assert outsider.get(reverse("reports:household_visit_form", args=[household.pk])).status_code == 404

"""Where a finding's "去修改" leads: the household form for the fields it edits; the household's
识别与消除 section for the fields only casework writes (监测对象类别, 识别监测时间 …), read-only on the form."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from fanpin.core.tests.permissions_support import make_household
from fanpin.quality.models import Finding, QualityRun

VILLAGE = "140321201249"


def _finding(run, household, code, message, fields):
    return Finding.objects.create(
        run=run,
        household=household,
        household_code=household.code,
        village_code=VILLAGE,
        township_code=VILLAGE[:9],
        code=code,
        level="error",
        message=message,
        fields=fields,
    )


@pytest.mark.django_db
def test_identification_month_finding_leads_to_casework_not_the_form(client_for, make_user):
    monitored, _m, _r = make_household(VILLAGE, "IN")
    no_phone, _m2, _r2 = make_household(VILLAGE, "IN")
    run = QualityRun.objects.create(
        source="registry", area_code=VILLAGE, as_of=date(2025, 6, 30), status="done", score="90.0", counts={}
    )
    _finding(run, monitored, "MO05", "已是监测对象，但识别监测时间为空", ["监测对象类别", "识别监测时间"])
    _finding(run, no_phone, "CT01", "监测户没有户联系电话", ["户联系电话"])
    client = client_for(make_user("village", VILLAGE))
    page = client.get(reverse("quality:run_detail", args=[run.pk])).content.decode()

    casework = reverse("registry:household_detail", args=[monitored.pk]) + "#household-casework"
    assert casework in page and "去识别与消除办理" in page
    assert reverse("registry:household_edit", args=[monitored.pk]) not in page
    # The household page has that section, where the identification is registered and approved.
    assert 'id="household-casework"' in client.get(casework.split("#")[0]).content.decode()
    # A field the form edits still leads to the form.
    assert reverse("registry:household_edit", args=[no_phone.pk]) in page

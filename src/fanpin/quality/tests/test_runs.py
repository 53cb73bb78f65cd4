"""Quality runs over the registry and over an uploaded national file, scores, exemptions, downloads."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_run_now
from fanpin.quality.choices import ExemptionStatus, RunSource
from fanpin.quality.models import AreaScore, Finding, QualityRun
from fanpin.quality.services.exemptions import exemption_decide, exemption_request
from fanpin.quality.services.runs import quality_run_request, score_of
from fanpin.quality.tests.world import AS_OF, VILLAGE_A, build_world, export_file, run_registry, village_b
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.services.households import household_update, member_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fanpin_home):
    return build_world()


@pytest.fixture
def county(make_user, fanpin_home):
    return make_user("county", "140321", username="pd_quality_county")


def codes(run, household) -> set[str]:
    return set(Finding.objects.filter(run=run, household_code=household.code).values_list("code", flat=True))


def test_score_arithmetic_by_hand():
    # 100 × (1 − (3 + 0.2 × 4) / 20) = 100 × (1 − 3.8 / 20) = 81.0
    assert score_of(20, 3, 4) == Decimal("81.0")
    # 100 × (1 − (1 + 0.2) / 3) = 60.0
    assert score_of(3, 1, 1) == Decimal("60.0")
    # 100 × (1 − 0.2 / 3) = 93.333… → 93.3
    assert score_of(3, 0, 1) == Decimal("93.3")
    assert score_of(0, 0, 0) == Decimal("100.0")


def test_registry_run_finds_the_contradictions_and_scores_villages(world, county, client_for):
    run = run_registry(county)
    assert run.status == "done", run.message
    assert codes(run, world["a1"]) == set()
    assert {"MO01", "ED01", "ED08", "CT01"} <= codes(run, world["a2"])
    assert codes(run, world["b1"]) == set()
    # Findings carry the village and a link to the household; the messages say what to fix.
    f = Finding.objects.get(run=run, household_code=world["a2"].code, code="ED01")
    assert f.household_id == world["a2"].pk and f.village_code == VILLAGE_A and f.member_name
    assert "未上学原因" in f.message and "在校生状况" in f.fields
    page = client_for(county).get(reverse("quality:run_detail", args=[run.pk])).content.decode()
    assert reverse("registry:member_edit", args=[f.member_id]) in page  # the member's own edit page
    # Village A: 2 households, 1 with an error → 50.0; village B: 1 clean → 100.0;
    # the township (3 households, 1 with an error) → 66.7; the whole run the same.
    a = AreaScore.objects.get(run=run, code=VILLAGE_A)
    assert (a.households, a.error_households, a.score) == (2, 1, Decimal("50.0"))
    assert AreaScore.objects.get(run=run, code=village_b()).score == Decimal("100.0")
    assert AreaScore.objects.get(run=run, code=VILLAGE_A[:9]).score == Decimal("66.7")
    assert run.score == Decimal("66.7")
    assert run.counts["households"] == 3 and run.counts["error_households"] == 1


def test_result_is_the_same_when_run_again(world, county):
    first = run_registry(county)
    second = run_registry(county)

    def rows(run):
        return list(
            Finding.objects.filter(run=run)
            .order_by("household_code", "code", "member_id")
            .values_list("household_code", "code", "member_id", "level")
        )

    assert rows(first) == rows(second) and rows(first)
    assert first.score == second.score


def test_done_means_upload_fix_rerun_score_rises(world, county, client_for, tmp_path):
    """A county officer uploads this month's export, sees the contradictions by village, fixes them in
    the registry, re-runs on the registry and the score rises."""
    path = Path(export_file())
    before_households = list(Household.objects.order_by("id").values_list("id", "version", "updated_at"))
    before_members = Member.objects.count()
    before_incomes = IncomeRecord.objects.count()
    client = client_for(county)
    with open(path, "rb") as f:
        response = client.post(
            reverse("quality:run_list"),
            {"source": RunSource.UPLOAD, "area": "140321", "file": f},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = QualityRun.objects.get(source=RunSource.UPLOAD)
    from fanpin.core.models import Job

    job_run_now(Job.objects.filter(kind="quality.run").latest("id"))
    run.refresh_from_db()
    assert run.status == "done", run.message
    # The registry is untouched by the upload path.
    assert (
        list(Household.objects.order_by("id").values_list("id", "version", "updated_at")) == before_households
    )
    assert Member.objects.count() == before_members and IncomeRecord.objects.count() == before_incomes
    # The page groups findings by village with what to fix and a link to edit the household.
    page = client.get(reverse("quality:run_detail", args=[run.pk]) + f"?village={VILLAGE_A}").content.decode()
    assert "秋林庄" in page and world["a2"].code in page and "需修改" in page
    assert reverse("registry:household_edit", args=[world["a2"].pk]) in page
    upload_codes = codes(run, world["a2"])
    assert {"MO01", "ED01", "CT01"} <= upload_codes
    # Upload findings carry the file's row numbers.
    assert Finding.objects.filter(run=run, household_code=world["a2"].code, code="ED01").first().row >= 4

    first = run_registry(county)
    # Fix them in the registry.
    a2 = world["a2"]
    household_update(actor=county, household=a2, household_type="脱贫户", phone="13712345678")
    child = Member.objects.get(household=a2, relation="之子")
    member_update(actor=county, member=child, school_status="五年级")
    second = run_registry(county)
    assert codes(second, a2) == set()
    assert second.score > first.score
    assert second.score == Decimal("100.0")
    page = client.get(reverse("quality:run_detail", args=[second.pk])).content.decode()
    assert "得分变化" in page and str(first.score) in page and str(second.score) in page


def test_exemption_removes_the_finding_from_the_score(world, county, make_user):
    village = make_user("village", VILLAGE_A, username="qlz_quality")
    township = make_user("township", VILLAGE_A[:9], username="ck_quality")
    run = run_registry(county)
    # Leave only CT01 (no phone): the household really has no phone.
    a2 = world["a2"]
    household_update(actor=county, household=a2, household_type="脱贫户")
    member_update(
        actor=county, member=Member.objects.get(household=a2, relation="之子"), school_status="五年级"
    )
    run = run_registry(county)
    assert codes(run, a2) == {"CT01"} and run.score < Decimal("100")
    exemption = exemption_request(
        actor=village, household=a2, code="CT01", reason="该户无电话，经入户核实由邻居代为联系"
    )
    # The village clerk cannot approve; the township can.
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied
        exemption_decide(actor=village, exemption=exemption, status=ExemptionStatus.APPROVED)
    exemption_decide(actor=township, exemption=exemption, status=ExemptionStatus.APPROVED, note="同意")
    run.refresh_from_db()
    assert run.score == Decimal("100.0") and run.counts["exempted"] == 1
    assert Finding.objects.get(run=run, code="CT01").exempted
    # A new run keeps it exempted; revoking it brings the finding back into the score.
    again = run_registry(county)
    assert again.score == Decimal("100.0")
    exemption_decide(actor=township, exemption=exemption, status=ExemptionStatus.REVOKED)
    again.refresh_from_db()
    assert again.score < Decimal("100.0")
    # A second request needs a reason; the same rule cannot be requested twice while pending.
    with pytest.raises(ApplicationError):
        exemption_request(actor=village, household=a2, code="CT01", reason="")


def test_requester_cannot_approve_own_exemption(world, county):
    run_registry(county)
    exemption = exemption_request(actor=county, household=world["a2"], code="CT01", reason="入户核实无电话")
    with pytest.raises(ApplicationError, match="不能审批自己"):
        exemption_decide(actor=county, exemption=exemption, status=ExemptionStatus.APPROVED)


def test_download_lists_errors_by_row_and_column_for_an_uploaded_file(world, county, client_for):
    path = Path(export_file())
    run, job = quality_run_request(
        actor=county,
        area_code="140321",
        source=RunSource.UPLOAD,
        upload=path,
        file_name="本月导出.xlsx",
        as_of=AS_OF,
    )
    job_run_now(job)
    response = client_for(county).get(reverse("quality:run_download", args=[run.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("行号", "列", "户编号")
    mo01 = [r for r in rows[1:] if r[5] == "MO01"]
    assert {r[1] for r in mo01} == {"监测对象类别", "户类型"}
    assert all(isinstance(r[0], int) and r[0] >= 4 for r in mo01)
    assert all(r[2] == world["a2"].code for r in mo01)


def test_an_unreadable_upload_fails_with_a_message(world, county, tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a workbook")
    run, job = quality_run_request(
        actor=county,
        area_code="140321",
        source=RunSource.UPLOAD,
        upload=bad,
        file_name="坏文件.xlsx",
        as_of=AS_OF,
    )
    job = job_run_now(job)
    run.refresh_from_db()
    assert job.status == "failed" and run.status == "failed" and run.message


def test_outside_area_and_roles(world, county, make_user, client_for):
    run = run_registry(county)
    other = make_user("county", "140322", username="yx_county")  # 盂县
    assert client_for(other).get(reverse("quality:run_detail", args=[run.pk])).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied outside the user's area
        quality_run_request(actor=other, area_code="140321", as_of=AS_OF)
    inspector = make_user("inspector", "1403", username="yq_inspector")
    assert client_for(inspector).get(reverse("quality:run_detail", args=[run.pk])).status_code == 200
    assert (
        client_for(inspector)
        .post(reverse("quality:run_list"), {"source": "registry", "area": "140321"})
        .status_code
        == 403
    )
    api = client_for(county).get(reverse("api:quality-finding-list") + f"?run={run.pk}").json()
    assert {f["code"] for f in api["results"]} >= {"MO01", "ED01"}


def test_upload_format_problems_are_findings_with_personal_data_masked(county, tmp_path):
    from datetime import date

    from fanpin.registry.tests.national_files import household, pid, write_xlsx

    head, spouse = pid(date(1970, 1, 1), 711), pid(date(1972, 2, 2), 712)
    rows = household("1403212012497701", [("甲", head, "户主"), ("乙", spouse, "配偶")], 户类型="一般农户")
    rows[0]["健康状况"] = "良好"  # not in the code table: a format problem of the file
    rows[1]["证件号码"] = head  # the same person twice: rule ID08 on both rows
    path = write_xlsx(tmp_path / "问题文件.xlsx", rows)
    run, job = quality_run_request(
        actor=county,
        area_code="140321",
        source=RunSource.UPLOAD,
        upload=path,
        file_name="问题文件.xlsx",
        as_of=AS_OF,
    )
    job = job_run_now(job)
    assert job.progress_done == job.progress_total >= 4  # the job page shows it complete
    run.refresh_from_db()
    assert run.status == "done", run.message
    fmt = Finding.objects.get(run=run, code="FMT", fields=["健康状况"])
    assert fmt.row == 4 and fmt.value == "（受保护）" and "良好" not in fmt.message
    assert sorted(Finding.objects.filter(run=run, code="ID08").values_list("row", flat=True)) == [4, 5]
    # The parse's own duplicate-ID error names the same cells: listed once, as ID08, never with the number.
    assert not Finding.objects.filter(run=run, code="FMT", fields=["证件号码"]).exists()
    assert all(head not in f.value + f.message for f in Finding.objects.filter(run=run))
    # The uploaded file (personal data) is gone once its findings are stored; nothing was registered.
    assert not Path(run.file_path).exists()
    assert not Household.objects.filter(code="1403212012497701").exists()


def test_structured_plan_measures_count_while_in_place(world, county):
    """A 因病 household without any recorded measure column: MS01 fires until the plan (一户一策) has a
    健康帮扶 measure in place on the check date; a measure that ended before does not count."""
    from datetime import date

    from fanpin.assistance.choices import MeasureCategory
    from fanpin.assistance.services.measures import measure_add
    from fanpin.assistance.services.units import person_create, unit_create

    a1 = world["a1"]
    household_update(actor=county, household=a1, measures_recorded={"产业帮扶": "养殖"})
    assert "MS01" in codes(run_registry(county), a1)
    unit = unit_create(actor=county, name="平定县卫生健康局", area_code="140321")
    person = person_create(actor=county, unit=unit, name="李医生", phone="13612345678")
    ended = measure_add(
        actor=county,
        household=a1,
        category=MeasureCategory.HEALTH,
        item="家庭医生签约服务",
        start=date(2024, 1, 1),
        end=date(2025, 6, 30),
        unit=unit,
        persons=[person],
    )
    assert ended.pk and "MS01" in codes(run_registry(county), a1)
    measure_add(
        actor=county,
        household=a1,
        category=MeasureCategory.HEALTH,
        item="慢性病签约服务",
        start=date(2025, 7, 1),
        unit=unit,
        persons=[person],
    )
    assert "MS01" not in codes(run_registry(county), a1)

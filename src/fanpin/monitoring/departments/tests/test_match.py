"""Matching department records to members by normalised ID number, each source's rule raising the
right lead with a reason that quotes the figures, the unmatched people listed, and no duplicates."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest

from fanpin.core.jobs import job_run_now
from fanpin.monitoring.departments import identity
from fanpin.monitoring.departments.match import department_match_request, records_path
from fanpin.monitoring.departments.selectors import batch_unmatched
from fanpin.monitoring.departments.tests.files import HEADERS, load, write_csv
from fanpin.monitoring.models import DepartmentRecord, Lead
from fanpin.monitoring.tests.world import YUXIAN, household, person, policy_2025
from fanpin.registry import idnumber
from fanpin.registry.choices import Category
from fanpin.registry.services.households import member_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(db):
    policy_2025()


def _people(h):
    return list(h.members.order_by("id"))


def _leads(source):
    return {
        lead.household.code: lead for lead in Lead.objects.filter(source=source).select_related("household")
    }


def test_matching_uses_the_normalised_id_number(tmp_path):
    h = household("X1", adults=1)
    seq = next(s for s in range(1000) if idnumber.make("140321", date(1969, 3, 3), s).endswith("X"))
    number = idnumber.make("140321", date(1969, 3, 3), seq)
    member = member_add(actor="测试", household=h, id_number=number, name="带X的人", relation="配偶")
    typed = f" {number[:6]} {number[6:14]} {number[14:17]}x "  # spaces and a lower-case x, as typed
    batch = load(
        write_csv(tmp_path, "rs.csv", HEADERS["employment"], [[typed, "带X的人", "失业"]]), "employment"
    )
    (kept,) = pq.read_table(records_path(batch)).to_pylist()
    assert kept["id_key"] == identity.registry_key(number)
    assert not DepartmentRecord.objects.filter(batch=batch).exists()  # nobody unmatched
    assert batch.counts["matched"] == 1 and batch.counts["unmatched"] == 0
    assert Lead.objects.get(source="employment").household_id == h.pk and member.household_id == h.pk


def test_medical_yearly_out_of_pocket_against_the_share_and_the_fixed_sum(tmp_path):
    ordinary = household("M1")  # 一般农户: 100% of 16,323 and 26,000
    poor = household("M2", household_type="脱贫户")  # 脱贫户: 50% of 16,323 = 8,161.50 and 10,000
    below = household("M3")
    a, b = _people(ordinary)
    rows = [
        [a.id_number, a.name, "2025", "20000.00", "52000"],
        [b.id_number, b.name, "2025", "12000.00", "30000"],
        [_people(poor)[0].id_number, "甲", "2025", "9000", "20000"],
        [_people(below)[0].id_number, "乙", "2025", "15000", "40000"],
    ]
    batch = load(write_csv(tmp_path, "yb.csv", HEADERS["medical"], rows), "medical")
    leads = _leads("medical")
    assert set(leads) == {"M1", "M2"}
    assert leads["M1"].reason == (
        "医保数据：近 12 个月（2024-11 至 2025-10）个人合规自付 32,000.00 元，超过上年农村居民人均可支配收入 16,323 元的 100%"
        "（16,323.00 元）和固定标准 26,000 元"
    )
    assert leads["M2"].reason == (
        "医保数据：近 12 个月（2024-11 至 2025-10）个人合规自付 9,000.00 元，"
        "超过上年农村居民人均可支配收入 16,323 元的 50%（8,161.50 元）"
    )
    assert leads["M1"].suggested_category == Category.SUDDEN
    assert leads["M1"].risk_list == ["因病"] and leads["M1"].figures["out_of_pocket"] == 3_200_000
    assert (leads["M1"].year, leads["M1"].month, leads["M1"].figures["batch"]) == (2025, 10, batch.pk)
    assert batch.counts["triggered"] == 2 and batch.counts["leads"] == 2


def test_medical_settlement_months_of_the_window_are_summed(tmp_path):
    h = household("M4")
    a = _people(h)[0]
    header = ["证件号码", "姓名", "结算月份", "个人自付金额", "医疗总费用"]
    rows = [
        [a.id_number, a.name, "2025-03", "14000", "20000"],
        [a.id_number, a.name, "202509", "12000.50", "20000"],
        [a.id_number, a.name, "2024-10", "90000", "90000"],  # settled before the 12 months: not counted
    ]
    load(write_csv(tmp_path, "yb.csv", header, rows), "medical")
    assert _leads("medical")["M4"].reason.startswith(
        "医保数据：近 12 个月（2024-11 至 2025-10）个人合规自付 26,000.50 元，超过"
    )


def test_civil_new_support_loss_and_temporary_relief(tmp_path):
    new, lost, temp, other = household("C1"), household("C2"), household("C3"), household("C4")
    rows = [
        [_people(new)[0].id_number, "甲", "低保", "新增", "3600"],
        [_people(lost)[0].id_number, "乙", "特困", "停发", "0"],
        [_people(temp)[0].id_number, "丙", "临时救助", "新增", "2000"],
        [_people(other)[0].id_number, "丁", "低保", "在保", "600"],  # continuing: no lead
    ]
    load(write_csv(tmp_path, "mz.csv", HEADERS["civil"], rows), "civil")
    leads = _leads("civil")
    assert set(leads) == {"C1", "C2", "C3"} and "C4" not in leads and other.pk
    assert leads["C1"].reason == "民政数据：1 人新增低保，金额 3,600.00 元"
    assert leads["C2"].reason == "民政数据：1 人特困停发"
    assert leads["C3"].reason == "民政数据：1 人获得临时救助，金额 2,000.00 元"


def test_education_a_compulsory_age_child_out_of_school(tmp_path):
    h, grown, pupil = household("E1"), household("E2"), household("E3")
    child = person(h, relation="之子", birth=date(2015, 6, 1))
    adult_child = person(grown, relation="之子", birth=date(2004, 6, 1))
    in_school = person(pupil, relation="之女", birth=date(2014, 1, 1))
    rows = [
        [child.id_number, child.name, "未在校", "小学"],
        [adult_child.id_number, adult_child.name, "未在校", ""],
        [in_school.id_number, in_school.name, "在校", "初中"],
    ]
    load(write_csv(tmp_path, "jy.csv", HEADERS["education"], rows), "education")
    leads = _leads("education")
    assert set(leads) == {"E1"}
    assert leads["E1"].reason == "教育数据：1 名义务教育阶段适龄儿童少年未在校"
    assert leads["E1"].risk_list == ["义务教育阶段适龄儿童少年失学辍学"]


def test_housing_disability_employment_disaster_and_other(tmp_path):
    hs = {code: household(code) for code in ("H1", "H2", "D1", "D2", "J1", "J2", "Z1", "Z2", "O1")}
    first = {code: _people(h)[0] for code, h in hs.items()}
    files = {
        "housing": [[first["H1"].id_number, "甲", "C"], [first["H2"].id_number, "乙", "B"]],
        "disability": [
            [first["D1"].id_number, "甲", "二级", "新办"],
            [first["D2"].id_number, "乙", "三级", "升级"],
        ],
        "employment": [[first["J1"].id_number, "甲", "停止务工"], [first["J2"].id_number, "乙", "就业"]],
        "disaster": [
            [first["Z1"].id_number, "甲", "洪涝", "12000"],
            [first["Z2"].id_number, "乙", "冰雹", "0"],
        ],
        "other": [[first["O1"].id_number, "甲", "企业反映欠薪未付"]],
    }
    for source, rows in files.items():
        load(write_csv(tmp_path, f"{source}.csv", HEADERS[source], rows), source)
    reasons = {
        lead.household.code: (lead.reason, lead.risk_types)
        for lead in Lead.objects.select_related("household")
    }
    assert reasons == {
        "H1": ("住建数据：住房鉴定为 C 级危房", "住房出现安全问题"),
        "D1": ("残联数据：1 人新办残疾证（二级）", "因残"),
        "D2": ("残联数据：1 人残疾等级升级（三级）", "因残"),
        "J1": ("人社数据：1 人停止务工", "因务工就业不稳"),
        "Z1": ("应急数据：受灾（洪涝），损失 12,000.00 元", "因自然灾害"),
        "O1": ("其他数据：企业反映欠薪未付", "其他"),
    }


def test_people_not_in_the_registry_are_listed_and_people_of_another_county_are_matched_there(tmp_path):
    h = household("U1")
    elsewhere = household("U2", village=YUXIAN)  # 盂县: registered in another county than the loader's
    stranger = idnumber.make("140321", date(1990, 1, 1), 777)
    rows = [
        [_people(h)[0].id_number, "甲", "D"],
        [stranger, "新来的人", "D"],
        [_people(elsewhere)[0].id_number, "盂县的人", "C"],
        [stranger, "新来的人", "C"],  # the same person twice: listed once, from the first row
    ]
    batch = load(write_csv(tmp_path, "zj.csv", HEADERS["housing"], rows), "housing", area="140321")
    assert [(r.row, r.name, r.fields["rows"]) for r in batch_unmatched(batch=batch)] == [(3, "新来的人", 2)]
    assert batch.counts["unmatched"] == 2 and batch.counts["unmatched_people"] == 1
    assert batch.counts["matched"] == 2 and batch.counts["leads"] == 2
    leads = _leads("housing")
    assert set(leads) == {"U1", "U2"}
    # No ID number in plain text at rest: the list keeps it field-encrypted, the batch's files hold the
    # blind index and sealed chunks only (and the uploaded file is gone).
    (listed,) = batch_unmatched(batch=batch)
    assert listed.id_number != stranger and identity.unseal(listed.id_number) == stranger
    folder = records_path(batch).parent
    stored = b"".join(p.read_bytes() for p in folder.iterdir())
    for number in (stranger, _people(h)[0].id_number, _people(elsewhere)[0].id_number):
        assert number.encode() not in stored
    assert sorted(p.name for p in folder.iterdir()) == ["ids.sealed", "records.parquet"]
    # The lead of the 盂县 person lands in their own village, where that county's users see it.
    assert leads["U2"].household.village_id == elsewhere.village_id
    assert leads["U2"].household.county_code == "140322"
    assert leads["U2"].reason == "住建数据：住房鉴定为 C 级危房"


def test_no_duplicate_leads_on_rematch_or_with_an_open_lead(tmp_path):
    h, busy = household("R1"), household("R2")
    Lead.objects.create(
        household=busy, year=2025, month=9, suggested_category="边缘易致贫户", reason="9 月线索"
    )
    rows = [[_people(h)[0].id_number, "甲", "D"], [_people(busy)[0].id_number, "乙", "C"]]
    batch = load(write_csv(tmp_path, "zj.csv", HEADERS["housing"], rows), "housing")
    assert batch.counts["leads"] == 1 and batch.counts["skipped_open_or_monitored"] == 1
    lead = Lead.objects.get(household=h)
    lead.status = "dismissed"  # even handled, a lead of the same month and source is not raised again
    lead.save()
    job = job_run_now(department_match_request(actor="测试", batch=batch))
    assert job.status == "succeeded"
    assert Lead.objects.filter(source="housing").count() == 1
    assert job.result["leads"] == 0 and job.result["skipped_open_or_monitored"] == 2


@pytest.mark.spark
def test_the_match_job_on_spark_raises_the_same_leads_as_on_duckdb(tmp_path):
    ordinary, poor = household("S1"), household("S2", household_type="脱贫户")
    rows = [
        [_people(ordinary)[0].id_number, "甲", "2025", "27000", "52000"],
        [_people(poor)[0].id_number.lower(), "乙", "2025", "9000", "20000"],
        [idnumber.make("140321", date(1990, 1, 1), 777), "丙", "2025", "50000", "90000"],
    ]
    batch = load(write_csv(tmp_path, "yb.csv", HEADERS["medical"], rows), "medical")
    on_duckdb = sorted(Lead.objects.values_list("household_id", "reason", "risk_types", "suggested_category"))
    Lead.objects.all().delete()
    job = job_run_now(department_match_request(actor="测试", batch=batch, engine="spark"))
    assert job.status == "succeeded", job.error
    on_spark = sorted(Lead.objects.values_list("household_id", "reason", "risk_types", "suggested_category"))
    assert len(on_duckdb) == 2 and on_spark == on_duckdb
    assert job.result["engine"] == "spark" and job.result["unmatched"] == 1


def test_medical_out_of_pocket_is_summed_over_the_policys_months_across_monthly_batches(tmp_path):
    """Each month's 医保 file alone stays under 16,323 (100 % of the rural income); the 12-month total does not. Claims of
    a batch older than the window and a batch of a later month do not count; a batch loaded by another
    county counts (the person is the same)."""
    h = household("W1")
    a, b = _people(h)
    header = ["证件号码", "姓名", "结算月份", "个人自付金额", "医疗总费用"]

    def month_file(name, rows, *, year, month, area="140321", match=True):
        path = write_csv(tmp_path, name, header, rows)
        return load(path, "medical", area=area, year=year, month=month, match=match)

    old = [[a.id_number, a.name, "2024-08", "20000", "30000"]]
    month_file("old.csv", old, year=2024, month=8, match=False)  # loaded, never matched (no 2024 policy)
    month_file("aug.csv", [[a.id_number, a.name, "2025-08", "6000", "20000"]], year=2025, month=8)
    month_file(
        "sep.csv", [[b.id_number, b.name, "2025-09", "5000.50", "20000"]], year=2025, month=9, area="140322"
    )
    nov = [[a.id_number, a.name, "2025-11", "50000", "90000"]]
    later = month_file("nov.csv", nov, year=2025, month=11, match=False)
    assert not Lead.objects.filter(household=h).exists()  # each month alone: under
    oct_batch = month_file(
        "oct.csv", [[a.id_number, a.name, "2025-10", "6000", "20000"]], year=2025, month=10
    )
    lead = Lead.objects.get(household=h, month=10, source="medical")
    # 6,000 + 5,000.50 + 6,000 = 17,000.50 > 16,323; not the 2024-08 claim nor November's.
    assert lead.reason == (
        "医保数据：近 12 个月（2024-11 至 2025-10）个人合规自付 17,000.50 元，超过上年农村居民人均可支配收入 "
        "16,323 元的 100%（16,323.00 元）"
    )
    assert lead.figures["out_of_pocket"] == 1_700_050 and lead.figures["batch"] == oct_batch.pk
    lead.status = "dismissed"
    lead.save()
    job = job_run_now(department_match_request(actor="测试", batch=later))
    assert job.status == "succeeded" and job.result["leads"] == 1  # November's window: the three + 50,000
    assert "近 12 个月（2024-12 至 2025-11）个人合规自付 67,000.50 元" in Lead.objects.get(month=11).reason


def test_the_months_summed_are_a_policy_setting(tmp_path):
    from fanpin.monitoring.services.policy import policy_setting_create

    policy_setting_create(
        actor="测试",
        province_code="14",
        year=2025,
        threshold="7100",
        effective_from=date(2025, 2, 1),
        params={"oop_months": "2"},
    )
    h = household("W2")
    a = _people(h)[0]
    header = ["证件号码", "姓名", "结算月份", "个人自付金额", "医疗总费用"]
    rows = [
        [a.id_number, a.name, "2025-08", "20000", "30000"],
        [a.id_number, a.name, "2025-10", "9000", "9000"],
    ]
    batch = load(write_csv(tmp_path, "yb.csv", header, rows), "medical")
    assert batch.counts["leads"] == 0  # only September and October count: 9,000
    rows = [[a.id_number, a.name, "2025-09", "17400", "30000"]]
    load(write_csv(tmp_path, "yb2.csv", header, rows), "medical")
    assert Lead.objects.get(household=h).reason.startswith(
        "医保数据：近 2 个月（2025-09 至 2025-10）个人合规自付 26,400.00 元，超过"
    )

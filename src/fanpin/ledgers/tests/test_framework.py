"""The generic ledger framework: import errors by row and column, nothing half-written, export → import
round trip, masking, the form's Chinese errors, audit events."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from fanpin.accounts.choices import Role
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent
from fanpin.ledgers.framework.definition import get_ledger
from fanpin.ledgers.framework.services import (
    LedgerFormError,
    ledger_entry_create,
    ledger_entry_update,
    ledger_import_cancel,
    ledger_import_commit,
)
from fanpin.ledgers.models import Loan, Problem
from fanpin.ledgers.tests.files import commit, read_xlsx, upload, write_xlsx
from fanpin.ledgers.tests.people import VILLAGE, person

pytestmark = pytest.mark.django_db

LOAN_HEADERS = ["区划代码", "借款人证件号码", "贷款金额（元）", "期限（月）", "贷款用途", "放款日期"]


def _upload(user, slug, path):
    return upload(actor=user, slug=slug, path=path)


def _issues(batch):
    return {(i.row, i.column): i.message for i in batch.issues.all()}


def test_import_errors_name_row_column_and_what_to_do(make_user, tmp_path):
    county = make_user(Role.COUNTY, "140321")
    _h, m = person(born=date(1980, 5, 1))
    rows = [
        ["", m.id_number, 30000, 36, "养殖业", "2024-04-01"],  # fine
        ["", m.id_number, 30000, 36, "养殖业", "2024/13/45"],  # bad date
        ["", m.id_number, 80000, 36, "种植业", "2024-04-01"],  # over the ceiling
        ["140105", "", 20000, 12, "种植业", "2024-04-01"],  # outside the county
        ["140321", "", 80000, 12, "买房", "2024-04-01"],  # not a production use, and over the ceiling
        ["140321", "", "两万", 12, "种植业", "2024-04-01"],  # not a number
    ]
    batch = _upload(county, "loans", write_xlsx(tmp_path / "贷款.xlsx", LOAN_HEADERS, rows))
    issues = _issues(batch)
    assert batch.counts["rows"] == 6 and batch.error_count == 6
    assert "日期" in issues[(3, "放款日期")] and "2022-06-30" in issues[(3, "放款日期")]
    assert (
        "50,000" in issues[(4, "贷款金额（元）")] and "小额信贷单户额度上限" in issues[(4, "贷款金额（元）")]
    )
    assert "不在您的管辖范围内" in issues[(5, "区划代码")]
    assert "可填：种植业" in issues[(6, "贷款用途")]
    assert "超过单户上限" in issues[(6, "贷款金额（元）")]  # one check lists every problem of the row
    assert "数字" in issues[(7, "贷款金额（元）")]
    with pytest.raises(ApplicationError, match="6 处错误，不能导入"):
        ledger_import_commit(actor=county, batch=batch)
    assert Loan.objects.count() == 0
    ledger_import_cancel(actor=county, batch=batch)
    assert batch.status == "cancelled"
    with pytest.raises(ApplicationError, match="不能导入"):
        ledger_import_commit(actor=county, batch=batch)


def test_missing_and_unknown_columns(make_user, tmp_path):
    county = make_user(Role.COUNTY, "140321")
    path = write_xlsx(tmp_path / "x.xlsx", ["区划代码", "问题描述", "备注栏"], [["140321", "问题", "x"]])
    issues = _issues(_upload(county, "rectification", path))
    assert "不认识的列“备注栏”" in issues[(1, "备注栏")]
    assert "缺少必填列“问题来源”" in issues[(1, "问题来源")]


def test_nothing_half_written_when_the_registry_changed_after_review(make_user, tmp_path):
    """The file is checked again at commit: one row that became invalid refuses the whole file."""
    county = make_user(Role.COUNTY, "140321")
    people = [person(born=date(1975 + i, 3, 1)) for i in range(3)]
    rows = [["", m.id_number, 20000, 24, "养殖业", "2024-05-01"] for _h, m in people]
    batch = _upload(county, "loans", write_xlsx(tmp_path / "贷款.xlsx", LOAN_HEADERS, rows))
    assert batch.error_count == 0
    household = people[2][0]
    household.household_type = "一般农户"  # no longer eligible
    household.save(update_fields=["household_type"])
    job = commit(actor=county, batch=batch)
    assert job.status == "failed" and "未导入任何记录" in job.error
    assert Loan.objects.count() == 0
    assert batch.status == "review" and "未导入任何记录" in batch.message
    assert [(i.row, i.column) for i in batch.issues.all()] == [(4, "借款户户编号")]
    assert any("脱贫户和监测对象" in i.message for i in batch.issues.all())


def test_export_import_round_trip(make_user, client, tmp_path):
    county = make_user(Role.COUNTY, "140321")
    ledger = get_ledger("loans")
    for i in range(3):
        _h, m = person(born=date(1970 + i, 1, 1))
        ledger_entry_create(
            actor=county,
            ledger=ledger,
            values={
                "member": m.id_number,
                "amount": f"{10000 * (i + 1)}.50",
                "term_months": 36,
                "use": "养殖业",
                "disbursed_on": "2024-03-01",
                "rate": "3.450",
            },
        )
    client.force_login(county)
    content = client.get(reverse("ledgers:export", args=["loans"])).content
    sheet = read_xlsx(content)
    assert sheet[0][0] == "编号" and len(sheet) == 4
    col = sheet[0].index("借款人证件号码")
    assert all("*" not in str(r[col]) and len(str(r[col])) == 18 for r in sheet[1:])  # county: in full
    before = {lo.pk: (lo.amount, lo.rate, lo.member_id, lo.version) for lo in Loan.objects.all()}

    (tmp_path / "导出.xlsx").write_bytes(content)
    batch = _upload(county, "loans", tmp_path / "导出.xlsx")
    commit(actor=county, batch=batch)
    counts = batch.counts
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 3)
    assert {lo.pk: (lo.amount, lo.rate, lo.member_id, lo.version) for lo in Loan.objects.all()} == before

    # Change one amount in the exported file: exactly that loan is updated, and audited.
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.active
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("贷款金额（元）") + 1, value=45000)
    changed_id = ws.cell(row=2, column=1).value
    book.save(tmp_path / "改.xlsx")
    batch = _upload(county, "loans", tmp_path / "改.xlsx")
    commit(actor=county, batch=batch)
    counts = batch.counts
    assert (counts["created"], counts["updated"]) == (0, 1)
    assert Loan.objects.get(pk=changed_id).amount == Decimal("45000.00")
    event = AuditEvent.objects.filter(action="ledger.loans.update", object_id=str(changed_id)).get()
    assert event.after == {"amount": "45000.00"}


def test_masked_export_cannot_create_people(make_user, client, tmp_path):
    county = make_user(Role.COUNTY, "140321")
    _h, m = person(born=date(1980, 1, 1))
    ledger_entry_create(
        actor=county,
        ledger=get_ledger("loans"),
        values={
            "member": m.id_number,
            "amount": "10000",
            "term_months": 12,
            "use": "养殖业",
            "disbursed_on": "2024-01-02",
        },
    )
    inspector = make_user(Role.INSPECTOR, "1403")
    client.force_login(inspector)
    sheet = read_xlsx(client.get(reverse("ledgers:export", args=["loans"])).content)
    col = sheet[0].index("借款人证件号码")
    assert sheet[1][col] == m.id_number[:6] + "********" + m.id_number[-4:]
    assert AuditEvent.objects.filter(action="ledger.loans.export", note="个人信息已脱敏").exists()
    # A masked ID in a new row cannot say who the borrower is.
    rows = [["", sheet[1][col], 10000, 12, "养殖业", "2024-01-02"]]
    issues = _issues(_upload(county, "loans", write_xlsx(tmp_path / "m.xlsx", LOAN_HEADERS, rows)))
    assert "已脱敏" in issues[(2, "借款人证件号码")]


def test_template_has_columns_and_notes(client, make_user):
    client.force_login(make_user(Role.VILLAGE, VILLAGE))
    content = client.get(reverse("ledgers:template", args=["employment"])).content
    header = read_xlsx(content)[0]
    assert header[0] == "编号" and "务工地点" in header and "人数" in header
    notes = read_xlsx(content, sheet=1)
    assert ["务工地点", "是", "可填：县内、省内县外、省外"] in notes
    assert any(r[0] == "汇总行" for r in notes)


def test_form_page_shows_chinese_errors_and_saves(client, make_user):
    village = make_user(Role.VILLAGE, VILLAGE)
    client.force_login(village)
    url = reverse("ledgers:entry_new", args=["rectification"])
    response = client.post(
        url,
        {
            "area": VILLAGE,
            "problem": "饮水不达标",
            "source": "自查排查",
            "found_on": "2025-02-30",
            "owner": "村委",
            "status": "已整改",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "输入一个有效的日期" in html
    assert Problem.objects.count() == 0
    response = client.post(
        url,
        {
            "area": VILLAGE,
            "problem": "饮水不达标",
            "source": "自查排查",
            "found_on": "2025-02-03",
            "owner": "村委",
            "status": "已整改",
        },
    )
    assert "须填写整改完成日期" in response.content.decode()
    response = client.post(
        url,
        {
            "area": VILLAGE,
            "problem": "饮水不达标",
            "source": "自查排查",
            "found_on": "2025-02-03",
            "owner": "村委",
            "status": "已整改",
            "rectified_on": "2025-03-01",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and problem.created_by == village
    assert AuditEvent.objects.filter(action="ledger.rectification.create", object_id=str(problem.pk)).exists()


def test_village_cannot_record_outside_its_village(make_user):
    village = make_user(Role.VILLAGE, VILLAGE)
    with pytest.raises(LedgerFormError) as exc:
        ledger_entry_create(
            actor=village,
            ledger=get_ledger("rectification"),
            values={
                "area": "140321201201",
                "problem": "x",
                "source": "其他",
                "found_on": "2025-01-01",
                "owner": "x",
            },
        )
    assert exc.value.details[0]["column"] == "区划代码"
    assert "不在您的管辖范围内" in exc.value.message


def test_update_checks_version(make_user):
    county = make_user(Role.COUNTY, "140321")
    ledger = get_ledger("consumption")
    values = {
        "area": "140321",
        "sold_on": "2025-06-30",
        "channel": "订单销售",
        "products": "小米",
        "amount": "1000",
    }
    sale = ledger_entry_create(actor=county, ledger=ledger, values=values)
    ledger_entry_update(
        actor=county, ledger=ledger, entry=sale, values={**values, "amount": "1200"}, version=1
    )
    with pytest.raises(ApplicationError, match="已被他人修改"):
        ledger_entry_update(
            actor=county, ledger=ledger, entry=sale, values={**values, "amount": "1300"}, version=1
        )


def test_list_is_area_scoped_and_masks_ids(make_user, client):
    county = make_user(Role.COUNTY, "140321")
    ledger = get_ledger("welfare-jobs")
    _h, m = person(born=date(1970, 1, 1), name="李四")
    _h2, other = person(born=date(1971, 1, 1), village="140105001001", name="外区人")
    for who in (m, other):
        ledger_entry_create(
            actor="测试",
            ledger=ledger,
            values={
                "member": who.id_number,
                "post": "保洁",
                "post_type": "乡村保洁",
                "start_on": "2025-01-01",
                "months": 6,
                "monthly_pay": "500",
            },
        )
    client.force_login(county)
    html = client.get(reverse("ledgers:entry_list", args=["welfare-jobs"])).content.decode()
    assert "李四" in html and "外区人" not in html
    assert m.id_number not in html and m.id_number[:6] + "********" in html


@pytest.mark.parametrize("slug", ["loans", "workshop-workers"])
def test_list_page_queries_do_not_grow_with_rows(slug, client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = make_user(Role.COUNTY, "140321")
    ledger = get_ledger(slug)
    shop = None
    if slug == "workshop-workers":
        shop = ledger_entry_create(
            actor=county,
            ledger=get_ledger("workshops"),
            values={
                "area": "140321201",
                "name": "车间",
                "operator": "社",
                "workers_total": 50,
                "poor_workers": 40,
            },
        )

    def add(n):
        for _ in range(n):
            _h, m = person(born=date(1985, 1, 1))
            values = (
                {"member": m.id_number, "start_on": "2025-01-01", "monthly_wage": "2000", "workshop": shop.pk}
                if shop
                else {
                    "member": m.id_number,
                    "amount": "1000",
                    "term_months": 12,
                    "use": "养殖业",
                    "disbursed_on": "2025-01-01",
                }
            )
            ledger_entry_create(actor=county, ledger=ledger, values=values)

    client.force_login(county)
    url = reverse("ledgers:entry_list", args=[slug])
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_unreadable_file_and_masked_values_in_issues(make_user, tmp_path):
    county = make_user(Role.COUNTY, "140321")
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    batch = _upload(county, "loans", broken)
    assert batch.status == "review" and batch.error_count == 1
    assert "无法读取文件" in batch.issues.get().message
    # An ID number that is not in the registry is shown masked in the issue list.
    rows = [["", "140321199001011234", 10000, 12, "养殖业", "2024-01-02"]]
    batch = _upload(county, "loans", write_xlsx(tmp_path / "x.xlsx", LOAN_HEADERS, rows))
    issue = batch.issues.get(column="借款人证件号码")
    assert issue.value == "140321********1234"
    assert "140321199001011234" not in str(list(batch.issues.values_list("value", "message")))


def test_a_dead_write_job_puts_the_batch_back(make_user, tmp_path):
    """The process running the write died: the job is marked failed and the batch can be confirmed again."""
    from fanpin.core.jobs import _ON_ABANDON, job_run_now
    from fanpin.ledgers.framework.services import ledger_import_commit as confirm

    county = make_user(Role.COUNTY, "140321")
    path = write_xlsx(
        tmp_path / "c.xlsx",
        ["区划代码", "销售日期（截至）", "销售渠道", "产品", "销售金额（元）"],
        [["140321", "2025-06-30", "订单销售", "小米", 1000]],
    )
    batch = _upload(county, "consumption", path)
    job = confirm(actor=county, batch=batch)
    assert batch.status == "committing"
    _ON_ABANDON["ledgers.import_commit"](job)  # what jobs_recover_abandoned does for a dead worker
    batch.refresh_from_db()
    assert batch.status == "review" and "未写入任何记录" in batch.message
    from fanpin.ledgers.models import Sale

    assert Sale.objects.count() == 0
    job_run_now(confirm(actor=county, batch=batch))
    batch.refresh_from_db()
    assert batch.status == "committed" and Sale.objects.count() == 1

"""The import and export pages, as a county clerk of 平定县 uses them: upload, wait for the parse job,
read the errors by row and column (on the page and in the downloadable sheet), merge the valid
households, export the county and download the file. Other villages' staff see none of it."""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanpin.core.jobs import job_run_next
from fanpin.core.masking import mask_cell
from fanpin.core.models import Job
from fanpin.registry.models import Household, ImportBatch, ImportIssue, Member
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.tests.national_files import H1, H2, H3, ID, standard_rows, write_xlsx

pytestmark = pytest.mark.django_db

NEW = "/households/imports/new/"


def wrong_check_char(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture
def clerk(county_user, client_for):
    return client_for(county_user)


def xlsx_upload(tmp_path, rows, name="监测对象信息.xlsx") -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "upload.xlsx", rows)
    return SimpleUploadedFile(
        name,
        path.read_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def issue_rows(page_html: str) -> list[list[str]]:
    """The cells of each row of the errors table (#issues) of the batch page."""
    table = re.search(r'<table class="table table-sm" id="issues">(.*?)</table>', page_html, re.S).group(1)
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r'<tr class="table-(?:danger|warning)">(.*?)</tr>', body, re.S)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def upload(clerk, tmp_path, rows) -> ImportBatch:
    response = clerk.post(
        NEW, {"file": xlsx_upload(tmp_path, rows), "area": "140321", "year": "2025", "kind": "national"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/households/imports/{batch.pk}/"
    return batch


def file_with_one_error() -> list[dict]:
    rows = standard_rows()
    rows[1]["证件号码"] = wrong_check_char(ID["李秀英"])  # row 5, household H1
    return rows


def test_new_import_page_is_chinese(clerk):
    response = clerk.get(NEW)

    assert response.status_code == 200
    text = response.content.decode()
    assert "导入《（自定义）监测对象信息》" in text
    assert "文件（.xlsx 或 .csv）" in text and "收入列所属年度" in text and "上传并解析" in text
    assert "文件类型" in text and "《（自定义）监测对象信息》" in text
    assert 'value="140321"' in text  # the clerk's county is the default scope


def test_upload_parse_review_merge(clerk, tmp_path):
    batch = upload(clerk, tmp_path, file_with_one_error())
    page = clerk.get(f"/households/imports/{batch.pk}/").content.decode()
    assert "已上传" in page  # the parse job has not run yet

    job = job_run_next()
    assert job.kind == "registry.import_parse" and job.status == "succeeded"

    page = clerk.get(f"/households/imports/{batch.pk}/").content.decode()
    assert "待确认" in page
    rows = issue_rows(page)
    assert len(rows) == ImportIssue.objects.filter(batch=batch).count() == 1
    level, row, column, value, message, household = rows[0]
    assert (level, row, column, household) == ("错误", "5", "证件号码", H1)
    assert value == mask_cell(wrong_check_char(ID["李秀英"]), "证件号码")  # masked on the page
    assert "校验位错误" in message
    assert "下载错误清单（.xlsx）" in page
    assert Household.objects.count() == 0

    response = clerk.post(f"/households/imports/{batch.pk}/merge/", {"mode": "valid"})
    assert response.status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == "merging"
    job = job_run_next()
    assert job.kind == "registry.import_merge" and job.status == "succeeded", job.error

    page = clerk.get(f"/households/imports/{batch.pk}/").content.decode()
    assert "已导入" in page
    assert "新增 2 户" in page and "跳过 1 户" in page and "新增成员 3" in page
    assert sorted(Household.objects.values_list("code", flat=True)) == [H2, H3]
    assert not Member.objects.filter(household__code=H1).exists()


def test_error_sheet_download_matches_the_issues(clerk, tmp_path):
    rows = file_with_one_error()
    rows[3]["出生日期"] = "19550109"  # 张桂兰, row 7
    rows.append(dict(rows[5], 户编号=""))  # row 10: a member without household
    batch = upload(clerk, tmp_path, rows)
    job_run_next()

    response = clerk.get(f"/households/imports/{batch.pk}/errors.xlsx")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[None if v == "" else v for v in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["级别", "行号", "列", "内容", "说明", "户编号"]
    expected = [
        [
            "错误" if i.level == "error" else "提示",
            i.row,
            i.column,
            mask_cell(i.value, i.column) or None,
            i.message,
            i.household_code or None,
        ]
        for i in ImportIssue.objects.filter(batch=batch).order_by("row", "id")
    ]
    assert values[1:] == expected
    located = {(r[0], r[1], r[2]) for r in values[1:]}
    assert {("错误", 5, "证件号码"), ("错误", 7, "出生日期"), ("错误", 10, "户编号")} <= located
    # And the page lists the same issues.
    page = clerk.get(f"/households/imports/{batch.pk}/").content.decode()
    assert [(r[1], r[2]) for r in issue_rows(page)] == [(str(e[1]), e[2]) for e in expected]


def test_merge_all_with_errors_is_refused_on_the_page(clerk, tmp_path):
    batch = upload(clerk, tmp_path, file_with_one_error())
    job_run_next()

    response = clerk.post(f"/households/imports/{batch.pk}/merge/", {"mode": "all"}, follow=True)

    text = response.content.decode()
    assert "1 处错误，不能全部导入" in text
    assert "待确认" in text
    assert ImportBatch.objects.get(pk=batch.pk).status == "review"
    assert not Job.objects.filter(kind="registry.import_merge").exists()
    assert Household.objects.count() == 0


def test_upload_of_another_file_type_or_outside_the_area_is_refused(clerk):
    response = clerk.post(
        NEW,
        {
            "file": SimpleUploadedFile("名单.txt", "县,乡,村".encode()),
            "area": "140321",
            "year": "2025",
            "kind": "national",
        },
    )
    assert response.status_code == 200
    assert "请上传 .xlsx 或 .csv 文件。" in response.content.decode()

    body = write_xlsx_bytes(standard_rows())
    response = clerk.post(
        NEW,
        {"file": SimpleUploadedFile("郊区.xlsx", body), "area": "140311", "year": "2025", "kind": "national"},
    )
    assert response.status_code == 200
    assert "该区划不在您的管辖范围内。" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def write_xlsx_bytes(rows) -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["（自定义）监测对象信息"])
    book.active.append([""])
    book.active.append(HEADERS)
    for row in rows:
        book.active.append([row.get(h) or None for h in HEADERS])
    book.save(buffer)
    return buffer.getvalue()


def test_export_page_creates_a_job_and_offers_the_file(clerk, tmp_path):
    batch = upload(clerk, tmp_path, standard_rows())
    job_run_next()
    clerk.post(f"/households/imports/{batch.pk}/merge/", {"mode": "all"})
    job_run_next()
    assert Household.objects.count() == 3

    page = clerk.get("/households/export/")
    assert page.status_code == 200
    assert "导出《（自定义）监测对象信息》" in page.content.decode()

    response = clerk.post("/households/export/", {"area": "140321", "year": ""})
    job = Job.objects.get(kind="registry.export_national")
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued"

    assert job_run_next().pk == job.pk
    page = clerk.get(f"/jobs/{job.pk}/").content.decode()
    link = f"/households/export/{job.pk}/download/"
    assert 'id="export-download"' in page and link in page

    response = clerk.get(link)
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[3]] == HEADERS
    ids = {row[HEADERS.index("证件号码")] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert ids == set(ID.values())


def test_export_of_an_area_outside_the_users_is_not_offered(clerk):
    response = clerk.post("/households/export/", {"area": "140311", "year": ""})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_staff_of_another_village_cannot_see_the_batch(clerk, make_user, tmp_path):
    batch = upload(clerk, tmp_path, file_with_one_error())
    job_run_next()
    other = Client()
    other.force_login(make_user("village", "140321201201"))  # 岳家庄村, same township

    assert other.get(f"/households/imports/{batch.pk}/").status_code == 404
    assert other.get(f"/households/imports/{batch.pk}/errors.xlsx").status_code == 404
    assert other.post(f"/households/imports/{batch.pk}/merge/", {"mode": "valid"}).status_code == 404
    assert f"/households/imports/{batch.pk}/" not in other.get("/households/imports/").content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == "review"
    # The clerk still sees it.
    assert clerk.get(f"/households/imports/{batch.pk}/").status_code == 200


def test_review_page_and_error_sheet_mask_id_numbers_and_phones(clerk, tmp_path):
    rows = standard_rows()
    bad_id = wrong_check_char(ID["王建国"])
    rows[0]["证件号码"] = bad_id
    rows[0]["户联系电话"] = "1351234567X"
    batch = upload(clerk, tmp_path, rows)
    job_run_next()
    issue = ImportIssue.objects.get(batch=batch, column="证件号码")
    assert issue.value == bad_id  # kept in full for the record, shown masked

    page = clerk.get(f"/households/imports/{batch.pk}/").content.decode()
    assert bad_id not in page and bad_id[:6] + "********" + bad_id[-4:] in page
    sheet = b"".join(clerk.get(f"/households/imports/{batch.pk}/errors.xlsx").streaming_content)
    cells = [
        c for r in openpyxl.load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True) for c in r
    ]
    assert bad_id not in cells and bad_id[:6] + "********" + bad_id[-4:] in cells
    assert "1351234567X" not in page and "1351234567X" not in cells

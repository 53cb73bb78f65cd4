"""Loading 行政区划 CSV files: the bundled Shanxi data, new files, refused files, the CLI and the job."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fanpin.cli import main
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue, job_run_now
from fanpin.core.models import AuditEvent, Job
from fanpin.core.models.job import JobStatus
from fanpin.divisions.choices import Level
from fanpin.divisions.models import Division
from fanpin.divisions.services.load import divisions_load, divisions_load_shanxi

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")

PROVINCES = "code,name\n99,测试省\n"
CITIES = "code,name,provinceCode\n9901,测试市,99\n"
COUNTIES = "code,name,cityCode,provinceCode\n990101,测试县,9901,99\n990102,测试二县,9901,99\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def new_province_files(tmp_path) -> list[Path]:
    return [
        write(tmp_path / "provinces.csv", PROVINCES),
        write(tmp_path / "cities.csv", CITIES),
        write(tmp_path / "areas.csv", COUNTIES),
    ]


# --- the bundled Shanxi data --------------------------------------------------------------------


def test_shanxi_level_counts():
    counts = {level: Division.objects.filter(level=level).count() for level in Level}
    assert counts == {
        Level.PROVINCE: 1,
        Level.CITY: 11,
        Level.COUNTY: 121,
        Level.TOWNSHIP: 1352,
        Level.VILLAGE: 21895,
    }
    assert Division.objects.count() == 23380
    assert Division.objects.get(code="14").name == "山西省"


def test_every_node_lies_inside_its_parent():
    rows = list(Division.objects.values_list("code", "level", "parent_id"))
    for code, level, parent in rows:
        if level == Level.PROVINCE:
            assert parent is None, code
        else:
            assert parent is not None, code
            assert code.startswith(parent), (code, parent)
    levels = dict(Division.objects.values_list("code", "level"))
    # the parent is exactly one level up
    assert all(levels[p] == lv - 1 for _c, lv, p in rows if p is not None)


def test_demo_village_chain():
    village = Division.objects.get(code="140321201249")
    assert village.level == Level.VILLAGE
    assert [d.code for d in village.ancestors()] == ["14", "1403", "140321", "140321201"]
    assert village.full_name.startswith("山西省阳泉市平定县岔口乡秋林庄村")


def test_reloading_shanxi_changes_nothing():
    before = Division.objects.count()
    audits = AuditEvent.objects.filter(action="divisions.load").count()
    result = divisions_load_shanxi(actor="测试")
    assert result.created == 0
    assert result.updated == 0
    assert result.unchanged == 23380
    assert Division.objects.count() == before
    # nothing changed, so nothing to audit
    assert AuditEvent.objects.filter(action="divisions.load").count() == audits


# --- new files ----------------------------------------------------------------------------------


def test_load_new_province(new_province_files):
    before = Division.objects.count()
    result = divisions_load(actor="测试", paths=new_province_files)
    assert (result.created, result.updated) == (4, 0)
    assert Division.objects.count() == before + 4
    county = Division.objects.get(code="990101")
    assert county.name == "测试县"
    assert county.level == Level.COUNTY
    assert county.parent_id == "9901"
    assert county.full_name == "测试省测试市测试县"
    event = AuditEvent.objects.filter(action="divisions.load").latest("id")
    assert event.after["created"] == 4
    # loading the same files again creates nothing
    again = divisions_load(actor="测试", paths=new_province_files)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_changed_name_is_updated(new_province_files, tmp_path):
    divisions_load(actor="测试", paths=new_province_files)
    renamed = write(tmp_path / "areas2.csv", "code,name,cityCode,provinceCode\n990101,改名县,9901,99\n")
    result = divisions_load(actor="测试", paths=[renamed])
    assert (result.created, result.updated) == (0, 1)
    assert Division.objects.get(code="990101").name == "改名县"


def test_gb18030_file_loads(tmp_path):
    path = write(tmp_path / "gbk.csv", PROVINCES + "\n", encoding="gb18030")
    cities = write(tmp_path / "cities_gbk.csv", "code,name,provinceCode\n9901,鄂尔多斯测试市,99\n", "gb18030")
    assert not _is_utf8(path.read_bytes())
    divisions_load(actor="测试", paths=[path, cities])
    assert Division.objects.get(code="99").name == "测试省"
    assert Division.objects.get(code="9901").name == "鄂尔多斯测试市"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- refused files ------------------------------------------------------------------------------

# Line numbers count the header as line 1; the bad row is always the third data row (line 4).
BAD_FILES = {
    "bad_code": (
        "code,name,cityCode,provinceCode\n140399,甲县,1403,14\n140398,乙县,1403,14\n14032x,坏县,1403,14\n",
        "无效",
    ),
    "unknown_parent": (
        "code,name,cityCode,provinceCode\n140399,甲县,1403,14\n140398,乙县,1403,14\n149901,丙县,1499,14\n",
        "不存在",
    ),
    "duplicate": (
        "code,name,cityCode,provinceCode\n140399,甲县,1403,14\n140398,乙县,1403,14\n140399,甲县重复,1403,14\n",
        "重复",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_row_refuses_whole_file(tmp_path, case):
    text, reason_word = BAD_FILES[case]
    path = write(tmp_path / f"{case}.csv", text)
    before = Division.objects.count()
    with pytest.raises(ApplicationError) as info:
        divisions_load(actor="测试", paths=[path])
    assert Division.objects.count() == before
    assert not Division.objects.filter(code__in=["140399", "140398"]).exists()
    err = info.value
    assert CJK.search(err.message)
    assert len(err.details) == 1
    detail = err.details[0]
    assert detail["file"] == f"{case}.csv"
    assert detail["row"] == 4
    assert reason_word in detail["reason"]
    assert CJK.search(detail["reason"])
    # the text people see names the file, the line and the reason
    text_shown = str(err)
    assert f"{case}.csv" in text_shown
    assert "第 4 行" in text_shown
    assert reason_word in text_shown


def test_bad_second_file_refuses_all_files(new_province_files, tmp_path):
    bad = write(tmp_path / "villages.csv", "code,name,streetCode\n990101001001,某村,990101001\n")
    before = Division.objects.count()
    with pytest.raises(ApplicationError) as info:
        divisions_load(actor="测试", paths=[*new_province_files, bad])
    assert Division.objects.count() == before
    assert not Division.objects.filter(code="99").exists()
    assert info.value.details[0]["file"] == "villages.csv"
    assert info.value.details[0]["row"] == 2


def test_code_not_matching_parent_column_is_refused(tmp_path):
    path = write(tmp_path / "areas.csv", "code,name,cityCode,provinceCode\n140399,甲县,1404,14\n")
    with pytest.raises(ApplicationError) as info:
        divisions_load(actor="测试", paths=[path])
    assert info.value.details[0]["row"] == 2
    assert "不一致" in info.value.details[0]["reason"]
    assert not Division.objects.filter(code="140399").exists()


def test_missing_header_columns_is_refused(tmp_path):
    path = write(tmp_path / "x.csv", "代码,名称\n99,测试省\n")
    with pytest.raises(ApplicationError) as info:
        divisions_load(actor="测试", paths=[path])
    assert info.value.details[0]["row"] == 1
    assert "表头" in info.value.details[0]["reason"]
    assert not Division.objects.filter(code="99").exists()


# --- the command line ---------------------------------------------------------------------------


def test_cli_bad_file_returns_1_and_names_line(tmp_path, capsys):
    text, _ = BAD_FILES["bad_code"]
    path = write(tmp_path / "bad.csv", text)
    before = Division.objects.count()
    assert main(["divisions", "load", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "第 4 行" in err
    assert "14032x" in err
    assert Division.objects.count() == before


def test_cli_good_files_return_0(new_province_files, capsys):
    assert main(["divisions", "load", *map(str, new_province_files)]) == 0
    out = capsys.readouterr().out
    assert "新增 4" in out
    assert Division.objects.filter(code__in=["99", "9901", "990101", "990102"]).count() == 4


def test_cli_missing_file_returns_2(tmp_path, capsys):
    assert main(["divisions", "load", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err


# --- the background job -------------------------------------------------------------------------


def test_job_fails_on_bad_file(tmp_path):
    text, _ = BAD_FILES["unknown_parent"]
    path = write(tmp_path / "bad.csv", text)
    job = job_enqueue(kind="divisions.load", title="导入", params={"paths": [str(path)]})
    job_run_now(job)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert "未导入任何数据" in job.error
    assert "第 4 行" in job.error
    details = job.result["details"]
    assert details[0]["file"] == "bad.csv"
    assert details[0]["row"] == 4
    assert "1499" in details[0]["reason"]
    assert job.finished_at is not None
    assert not Division.objects.filter(code="140399").exists()


def test_job_succeeds_with_counts(new_province_files):
    job = job_enqueue(
        kind="divisions.load", title="导入", params={"paths": [str(p) for p in new_province_files]}
    )
    job_run_now(job)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert job.error == ""
    assert job.counts == {"省": 1, "市": 1, "县": 2}
    assert job.result["created"] == 4
    assert job.percent == 100
    assert job.progress_total > 0
    assert job.progress_done == job.progress_total
    assert "新增 4" in job.log
    assert Division.objects.filter(code="990102").exists()

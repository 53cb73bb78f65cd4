"""`fanpin ledgers import|export`: exit status, errors by row and column, all or nothing, round trip."""

from __future__ import annotations

import json

import pytest

from fanpin.cli import main
from fanpin.ledgers.models import Problem
from fanpin.ledgers.tests.files import read_xlsx, write_xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["区划代码", "问题描述", "问题来源", "发现日期", "责任单位（责任人）", "整改状态", "整改完成日期"]


def test_import_check_commit_and_export(tmp_path, capsys):
    good = ["140321", "问题", "审计", "2025-03-01", "县局", "已整改", "2025-04-01"]
    bad = write_xlsx(
        tmp_path / "bad.xlsx", HEADERS, [good, ["140321", "问题", "审计", "2025-03-01", "县局", "已整改", ""]]
    )
    rc = main(["ledgers", "import", "rectification", str(bad), "--commit", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and Problem.objects.count() == 0
    assert out["errors"] == [
        {
            "row": 3,
            "column": "整改完成日期",
            "value": "",
            "message": "整改状态为“已整改”时须填写整改完成日期。",
        }
    ]
    path = write_xlsx(tmp_path / "good.xlsx", HEADERS, [good, good])
    assert main(["ledgers", "import", "rectification", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "review" and Problem.objects.count() == 0
    assert main(["ledgers", "import", "rectification", str(path), "--commit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["created"] == 2
    out_file = tmp_path / "out.xlsx"
    assert main(["ledgers", "export", "rectification", "--area", "140321", "--out", str(out_file)]) == 0
    sheet = read_xlsx(out_file.read_bytes())
    assert len(sheet) == 3 and sheet[0][0] == "编号"
    assert main(["ledgers", "import", "no-such", str(path)]) == 2

"""Test helpers: build 《（自定义）监测对象信息》 files as the national system exports them (two title
rows, the header in row 3, one row per member, every cell text) and drive the staged import."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl

from fanpin.core.jobs import job_run_now
from fanpin.registry import idnumber
from fanpin.registry.models import ImportBatch, ImportIssue
from fanpin.registry.national.columns import HEADERS
from fanpin.registry.services.imports import import_create, import_merge_request

COUNTY, TOWNSHIP, VILLAGE = "平定县", "岔口乡", "秋林庄村"
VILLAGE_CODE = "140321201249"  # 秋林庄村委会
FIRST_DATA_ROW = 4  # two title rows, the header in row 3


def pid(birth: date, seq: int, region: str = "140321") -> str:
    """A valid resident ID: odd seq = male, even = female."""
    return idnumber.make(region, birth, seq)


def member_row(code: str, name: str, id_number: str, relation: str, **cells: str) -> dict[str, str]:
    info = idnumber.parse(id_number)
    row = {
        "县": COUNTY,
        "乡": TOWNSHIP,
        "村": VILLAGE,
        "户编号": code,
        "户类型": "一般农户",
        "姓名": name,
        "性别": info.sex,
        "证件类型": "居民身份证",
        "证件号码": id_number,
        "出生日期": info.birth_date.strftime("%Y%m%d"),
        "与户主关系": relation,
        "民族": "汉族",
        "健康状况": "健康",
        "劳动技能": "普通劳动力",
        "是否参加城乡居民基本医疗保险": "是",
    }
    row.update(cells)
    return row


def household(code: str, people: list[tuple[str, str, str]], **household_cells: str) -> list[dict[str, str]]:
    """people: (name, id_number, relation); household_cells repeat on every member row."""
    rows = [member_row(code, name, number, relation) for name, number, relation in people]
    for row in rows:
        row["家庭人口数"] = str(len(rows))
        row.update(household_cells)
    return rows


def standard_rows() -> list[dict[str, str]]:
    """Three clean households, 6 members (Excel rows 4–9):
    row 4–6 H1 (王建国 户主, 李秀英 配偶, 王小明 之子), row 7–8 H2 (张桂兰 户主, 赵强 之子), row 9 H3 (刘福 户主)."""
    h1 = household(
        H1,
        [
            ("王建国", ID["王建国"], "户主"),
            ("李秀英", ID["李秀英"], "配偶"),
            ("王小明", ID["王小明"], "之子"),
        ],
        户类型="脱贫户",
        监测对象类别="脱贫不稳定户",
        识别监测时间="202106",
        风险是否已消除="否",
        **{"致贫/返贫风险1": "因病", "致贫/返贫风险2": "因学"},
        工资性收入="12000.50",
        生产经营性收入="3000",
        财产性收入="0",
        转移性收入="2400.25",
        生产经营性支出="1000",
        家庭纯收入="16400.75",
        **{"人均纯收入（元）": "5466.92"},
        就业帮扶="劳务输出",
        **{"耕地面积（亩）": "3.5"},
        住房面积="86.40",
        是否危房户="否",
        户联系电话="13512345678",
    )
    h1[2]["在校生状况"] = "高中一年级"
    h1[2]["文化程度"] = "初中"
    h2 = household(
        H2,
        [("张桂兰", ID["张桂兰"], "户主"), ("赵强", ID["赵强"], "之子")],
        监测对象类别="边缘易致贫户",
        识别监测时间="202303",
        **{"致贫/返贫风险1": "因残"},
        工资性收入="8000",
        转移性收入="1500.10",
        家庭纯收入="9500.10",
        **{"人均纯收入（元）": "4750.05"},
    )
    h2[0]["健康状况"] = "残疾"
    h3 = household(H3, [("刘福", ID["刘福"], "户主")], 户类型="一般农户")
    return h1 + h2 + h3


H1, H2, H3 = "1403212012490001", "1403212012490002", "1403212012490003"
ID = {
    "王建国": pid(date(1968, 3, 15), 11),
    "李秀英": pid(date(1970, 7, 2), 22),
    "王小明": pid(date(2009, 9, 30), 31),
    "张桂兰": pid(date(1955, 1, 8), 44),
    "赵强": pid(date(1982, 12, 1), 53),
    "刘福": pid(date(1948, 5, 20), 65),
}


def write_xlsx(
    path: Path,
    rows: list[dict[str, str]],
    headers: list[str] | None = None,
    *,
    titles: tuple[str, ...] = ("（自定义）监测对象信息", "导出单位：平定县  导出时间：2025-12-31"),
) -> Path:
    headers = headers or HEADERS
    book = openpyxl.Workbook()
    sheet = book.active
    for title in titles:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") or None for h in headers])
    book.save(path)
    return path


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    headers: list[str] | None = None,
    *,
    encoding: str = "utf-8",
) -> Path:
    headers = headers or HEADERS
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["（自定义）监测对象信息"])
        writer.writerow(["导出单位：平定县"])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def parse(actor, path: Path, *, area_code: str = "140321", year: int | None = 2025, file_name=None):
    """Upload and run the parse job; returns (batch, job), both reloaded."""
    batch, job = import_create(
        actor=actor, source=path, file_name=file_name or path.name, area_code=area_code, year=year
    )
    job = job_run_now(job)
    return ImportBatch.objects.get(pk=batch.pk), job


def merge(actor, batch: ImportBatch, mode: str):
    job = job_run_now(import_merge_request(actor=actor, batch=batch, mode=mode))
    return ImportBatch.objects.get(pk=batch.pk), job


def issues(batch: ImportBatch, level: str | None = None) -> list[ImportIssue]:
    qs = ImportIssue.objects.filter(batch=batch).order_by("row", "id")
    if level:
        qs = qs.filter(level=level)
    return list(qs)


def issue_at(batch: ImportBatch, row: int, column: str, level: str = "error") -> ImportIssue:
    found = [i for i in issues(batch, level) if i.row == row and i.column == column]
    assert found, f"no {level} at row {row} column {column}; issues: " + "; ".join(
        f"{i.level} {i.row} {i.column} {i.message}" for i in issues(batch)
    )
    return found[0]


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)

"""Department files for the tests, written as a department would send them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fanpin.core.jobs import job_run_now
from fanpin.monitoring.departments.load import department_batch_create
from fanpin.monitoring.departments.match import department_match_request
from fanpin.monitoring.models import DepartmentBatch

HEADERS = {
    "medical": ["证件号码", "姓名", "年度", "个人自付金额", "医疗总费用"],
    "civil": ["证件号码", "姓名", "救助类型", "状态", "金额"],
    "education": ["证件号码", "姓名", "在校状态", "学段"],
    "housing": ["证件号码", "姓名", "房屋等级"],
    "disability": ["证件号码", "姓名", "残疾等级", "状态"],
    "employment": ["证件号码", "姓名", "就业状态"],
    "disaster": ["证件号码", "姓名", "受灾类型", "损失金额"],
    "other": ["证件号码", "姓名", "事项"],
}


def write_csv(folder: Path, name: str, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / name
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(folder: Path, name: str, header: list[str], rows: list[list]) -> Path:
    import xlsxwriter

    path = folder / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    book.close()
    return path


def write_parquet(folder: Path, name: str, header: list[str], rows: list[list]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / name
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in header]
    pq.write_table(
        pa.table({h: pa.array([str(v) for v in c]) for h, c in zip(header, columns, strict=True)}), path
    )
    return path


def load(
    path: Path,
    source: str,
    *,
    area: str = "140321",
    year: int = 2025,
    month: int = 10,
    actor="测试",
    match: bool = True,
) -> DepartmentBatch:
    """Upload, read and (by default) match a file as the jobs would; the batch as saved."""
    batch, job = department_batch_create(
        actor=actor, source=source, path=path, file_name=path.name, area_code=area, year=year, month=month
    )
    job = job_run_now(job)
    assert job.status == "succeeded", job.error
    if match:
        job = job_run_now(department_match_request(actor=actor, batch=batch))
        assert job.status == "succeeded", job.error
    return DepartmentBatch.objects.get(pk=batch.pk)

"""`fanpin import …` and `fanpin export …`: the registry's command-line entry points."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fanpin.core.errors import ApplicationError
from fanpin.core.progress import progress_bar


def _run(job, desc: str, quiet: bool):
    from fanpin.core.jobs import job_run_now

    if quiet:
        return job_run_now(job)
    bar, update = progress_bar(desc)
    try:
        return job_run_now(job, on_progress=update)
    finally:
        bar.close()


def import_national(args) -> int:
    from fanpin.core.models.job import JobStatus
    from fanpin.registry.models import ImportBatch
    from fanpin.registry.national.error_sheet import write_error_sheet
    from fanpin.registry.services.imports import import_create, import_merge_request

    source = Path(args.file)
    if not source.exists():
        print(f"找不到文件 / file not found: {source}", file=sys.stderr)
        return 2
    out = {"file": str(source)}
    try:
        batch, job = import_create(
            actor="命令行",
            source=source,
            file_name=source.name,
            area_code=args.area or "",
            year=getattr(args, "year", None),
            kind=getattr(args, "kind", "national"),
        )
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    job = _run(job, "解析", args.json)
    batch = ImportBatch.objects.get(pk=batch.pk)
    out.update(
        batch=batch.pk, status=batch.status, counts=batch.counts, unknown_columns=batch.unknown_columns
    )
    if batch.counts.get("errors") or batch.counts.get("warnings"):
        sheet = source.with_name(source.stem + ".错误清单.xlsx")
        write_error_sheet(batch, sheet)
        out["error_sheet"] = str(sheet)
    rc = 0
    if job.status != JobStatus.SUCCEEDED or batch.status != "review":
        out["refused"] = job.error or batch.message
        rc = 1
    elif args.merge:
        try:
            merge_job = import_merge_request(actor="命令行", batch=batch, mode=args.merge)
        except ApplicationError as exc:
            out["refused"] = exc.message
            rc = 1
        else:
            merge_job = _run(merge_job, "导入", args.json)
            batch.refresh_from_db()
            out.update(status=batch.status, changes=batch.changes)
            if merge_job.status != JobStatus.SUCCEEDED:
                out["refused"] = merge_job.error
                rc = 1
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        c = batch.counts
        if batch.kind == "national":
            size = f"{c.get('households', 0)} 户 {c.get('members', 0)} 人"
        else:
            size = f"{c.get('rows', 0)} 行，{c.get('households', 0)} 户"
        print(f"文件：{source.name}  {size}；错误 {c.get('errors', 0)} 处，提示 {c.get('warnings', 0)} 处")
        if batch.unknown_columns:
            print("未识别的列（原样保存）：" + "、".join(batch.unknown_columns))
        if out.get("error_sheet"):
            print(f"错误清单：{out['error_sheet']}")
        if out.get("changes"):
            print("已导入：" + json.dumps(out["changes"], ensure_ascii=False))
        elif rc == 0:
            print(f"已解析，批次 {batch.pk} 待确认；加 --merge all 或 --merge valid 写入。")
        if out.get("refused"):
            print("未导入：" + out["refused"], file=sys.stderr)
    return rc


def export_national(args) -> int:
    from fanpin.divisions.models import Division
    from fanpin.registry.models import Household
    from fanpin.registry.national.export import export_national as write

    area = args.area or ""
    qs = Household.objects.all()
    name = "全部"
    if area:
        division = Division.objects.filter(code=area).first()
        if division is None:
            print(f"区划代码“{area}”不存在。", file=sys.stderr)
            return 1
        name = division.full_name
        field = {2: "province_code", 4: "city_code", 6: "county_code", 9: "township_code", 12: "village_id"}[
            len(area)
        ]
        qs = qs.filter(**{field: area})
    bar, update = progress_bar("导出")
    rows = write(
        households=qs, path=Path(args.out), area_name=name, area_code=area, year=args.year, on_progress=update
    )
    bar.close()
    # A full export (ID numbers, phones in plain text in the file): an audit event, as from the web.
    from django.db import transaction

    from fanpin.core.services.audit import audit_record

    with transaction.atomic():
        audit_record(
            actor="命令行",
            action="export.national",
            object_type="registry.household",
            object_repr=Path(args.out).name,
            area_code=area,
            note=f"{rows} 行（完整导出，含证件号码和电话）",
        )
    print(f"已导出 {rows} 行到 {args.out}")
    return 0

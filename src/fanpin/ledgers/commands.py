"""`fanpin ledgers import|export …`: the ledgers on the command line (a data clerk's scripts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fanpin.core.errors import ApplicationError

ACTOR = "命令行"


def _run(job, quiet: bool):
    from fanpin.core.jobs import job_run_now
    from fanpin.core.progress import progress_bar

    if quiet:
        return job_run_now(job)
    bar, update = progress_bar("台账导入")
    try:
        return job_run_now(job, on_progress=update)
    finally:
        bar.close()


def ledgers_import(args) -> int:
    """Check a file (and with --commit write it, all or nothing). Exit 0 = written (or clean without
    --commit), 1 = errors (listed by row and column), 2 = bad arguments."""
    from django.http import Http404

    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.services import ledger_import_commit, ledger_import_upload

    try:
        ledger = get_ledger(args.ledger)
    except Http404:
        from fanpin.ledgers.framework.definition import LEDGERS

        print(f"没有台账“{args.ledger}”；可用：{'、'.join(LEDGERS)}", file=sys.stderr)
        return 2
    source = Path(args.file)
    if not source.exists():
        print(f"找不到文件 / file not found: {source}", file=sys.stderr)
        return 2
    try:
        batch = ledger_import_upload(actor=ACTOR, ledger=ledger, source=source, file_name=source.name)
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    _run(batch.job, args.json)
    batch.refresh_from_db()
    out = {"ledger": ledger.slug, "file": str(source), "batch": batch.pk, "counts": batch.counts}
    issues = [
        {"row": i.row, "column": i.column, "value": i.value, "message": i.message}
        for i in batch.issues.all()[:200]
    ]
    rc = 0
    if issues:
        out["errors"] = issues
        rc = 1
    elif args.commit:
        job = _run(ledger_import_commit(actor=ACTOR, batch=batch), args.json)
        batch.refresh_from_db()
        out["counts"] = batch.counts
        out["status"] = batch.status
        if job.status != "succeeded":
            out["refused"] = job.error
            out["errors"] = [
                {"row": i.row, "column": i.column, "value": i.value, "message": i.message}
                for i in batch.issues.all()[:200]
            ]
            rc = 1
    out["status"] = batch.status
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        c = batch.counts
        print(
            f"{ledger.title} {source.name}：{c.get('rows', 0)} 行，错误 {c.get('errors', 0)} 处，状态：{batch.get_status_display()}"
        )
        for i in out.get("errors", [])[:50]:
            where = f"第 {i['row']} 行" if i["row"] else "文件"
            print(f"  {where} “{i['column']}”：{i['message']}")
        if batch.status == "committed":
            print(f"已导入：新增 {c['created']} 条，修改 {c['updated']} 条，未变 {c['unchanged']} 条")
        elif not issues and not args.commit:
            print("未写入：检查无误，加 --commit 导入")
    return rc


def ledgers_export(args) -> int:
    from django.http import Http404

    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.importing import export_bytes
    from fanpin.ledgers.framework.selectors import entry_list
    from fanpin.ledgers.framework.services import ledger_export_record

    try:
        ledger = get_ledger(args.ledger)
    except Http404:
        print(f"没有台账“{args.ledger}”", file=sys.stderr)
        return 2
    filters = {"area": args.area or ""}
    qs = entry_list(user=None, ledger=ledger, filters=filters, trusted=True)
    Path(args.out).write_bytes(export_bytes(ledger, qs.iterator(chunk_size=2000), personal=True))
    rows = qs.count()
    ledger_export_record(actor=ACTOR, ledger=ledger, rows=rows, personal=True, filters=filters)
    print(f"{ledger.title}：导出 {rows} 条到 {args.out}")
    return 0


def ledgers_command(args) -> int:
    return ledgers_import(args) if args.action == "import" else ledgers_export(args)

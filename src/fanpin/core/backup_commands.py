"""`fanpin backup` / `fanpin restore` (the work is in core/backup.py)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from fanpin.core.backup import database_backup, database_restore
from fanpin.core.errors import ApplicationError
from fanpin.core.services.audit import audit_record

ACTOR = "命令行"


def _default_out() -> Path:
    db = settings.DATABASES["default"]
    suffix = "sqlite3" if db["ENGINE"].endswith("sqlite3") else "pgdump"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.FANPIN_HOME) / "backups" / f"fanpin-{stamp}.{suffix}"


def backup(args) -> int:
    out = Path(args.out) if args.out else _default_out()
    try:
        database_backup(db=settings.DATABASES["default"], out=out)
    except ApplicationError as exc:
        print(f"备份失败 / backup failed: {exc.message}", file=sys.stderr)
        return 1
    size = out.stat().st_size
    with transaction.atomic():
        audit_record(
            actor=ACTOR, action="system.backup", object_type="system.database",
            object_repr=f"数据库备份 {out.name}", after={"file": str(out), "bytes": size},
        )  # fmt: skip
    print(f"已备份 / backed up: {out}（{size / 2**20:,.1f} MB）")
    print(
        "注意：备份中的身份证号、电话、账号是密文，备份不含密钥文件；请确认密钥文件另有备份（见 docs/security.md）。\n"
        "The backup holds encrypted personal data and no keys: keep the key file backed up separately."
    )
    return 0


def restore(args) -> int:
    source = Path(args.file)
    if not source.exists():
        print(f"找不到备份文件 / file not found: {source}", file=sys.stderr)
        return 2
    connection.close()  # the restore works on the database directly; reconnect afterwards
    try:
        database_restore(db=settings.DATABASES["default"], source=source)
    except ApplicationError as exc:
        print(f"未恢复 / not restored: {exc.message}", file=sys.stderr)
        return 1
    with transaction.atomic():
        audit_record(
            actor=ACTOR, action="system.restore", object_type="system.database",
            object_repr=f"从备份 {source.name} 恢复", after={"file": str(source)},
        )  # fmt: skip
    print(f"已恢复 / restored from: {source}")
    return 0

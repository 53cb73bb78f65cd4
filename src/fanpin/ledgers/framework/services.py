"""Writes of ledger entries: create, update, delete, workflow steps, staged import. Each is one
transaction with one audit event per state change."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.scope import area_prefix
from fanpin.core.services.audit import AuditBuffer, audit_record
from fanpin.ledgers.framework.definition import Ledger
from fanpin.ledgers.framework.forms import ledger_form
from fanpin.ledgers.framework.values import snapshot


class LedgerFormError(ApplicationError):
    """Invalid values: `form` carries the errors by field; `details` name the columns."""

    def __init__(self, form):
        details = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for e in errors:
                details.append({"column": label, "reason": e})
        first = details[0] if details else {"reason": ""}
        where = f"“{first['column']}”：" if first.get("column") else ""
        super().__init__(f"{where}{first['reason']}", details=details)
        self.form = form


def _user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def _validate(ledger: Ledger, *, actor: Any, values, instance=None, cache=None):
    form = ledger_form(ledger)(values, user=_user(actor), instance=instance, cache=cache)
    if not form.is_valid():
        raise LedgerFormError(form)
    return form


@transaction.atomic
def ledger_entry_create(*, actor: Any, ledger: Ledger, values) -> Any:
    """A new entry from form-like `values` (strings or Python values keyed by column name)."""
    if _user(actor) is not None and not actor.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权录入台账")
    form = _validate(ledger, actor=actor, values=values)
    entry = form.save(commit=False)
    check_permission(actor, ledger.edit_permission, entry.area_id)
    entry.created_by = _user(actor)
    if ledger.initial_status:
        entry.status = ledger.initial_status
    entry.save()
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.create",
        obj=entry,
        area_code=entry.area_id,
        after=snapshot(ledger, entry),
    )
    return entry


@transaction.atomic
def ledger_entry_update(*, actor: Any, ledger: Ledger, entry, values, version: int | None = None) -> Any:
    entry = ledger.model.objects.select_for_update().get(pk=entry.pk)
    check_permission(actor, ledger.edit_permission, entry.area_id)
    if version is not None and version != entry.version:
        raise ApplicationError("该记录已被他人修改，请刷新页面后重新编辑。")
    before = snapshot(ledger, entry)
    form = _validate(ledger, actor=actor, values=values, instance=entry)
    entry = form.save(commit=False)
    check_permission(actor, ledger.edit_permission, entry.area_id)
    after = snapshot(ledger, entry)
    changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if not changed:
        return entry
    entry.version += 1
    entry.save()
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.update",
        obj=entry,
        area_code=entry.area_id,
        before={k: b for k, (b, _a) in changed.items()},
        after={k: a for k, (_b, a) in changed.items()},
    )
    return entry


@transaction.atomic
def ledger_entry_delete(*, actor: Any, ledger: Ledger, entry) -> None:
    check_permission(actor, ledger.edit_permission, entry.area_id)
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.delete",
        obj=entry,
        area_code=entry.area_id,
        before=snapshot(ledger, entry),
    )
    try:
        with transaction.atomic():
            entry.delete()
    except ProtectedError as exc:
        used = list(exc.protected_objects)
        kind = used[0]._meta.verbose_name if used else "其他"
        raise ApplicationError(
            f"该记录还被 {len(used)} 条“{kind}”记录引用（如 {used[0]}），不能删除；请先删除或改正那些记录。"
        ) from exc


@transaction.atomic
def ledger_entry_transition(*, actor: Any, ledger: Ledger, entry, action: str, note: str = "") -> Any:
    """One step of the ledger's state machine (e.g. 乡镇审核, 县级审定); refused from a wrong state."""
    step = ledger.transition(action)
    if step is None:
        raise ApplicationError(f"{ledger.title}没有“{action}”这一步。")
    entry = ledger.model.objects.select_for_update().get(pk=entry.pk)
    check_permission(actor, step.permission, entry.area_id)
    if entry.status not in step.sources:
        raise ApplicationError(
            f"当前状态为“{entry.get_status_display()}”，不能{step.label}。"
            f"只有“{'、'.join(dict(entry._meta.get_field('status').choices)[s] for s in step.sources)}”的记录可以{step.label}。"
        )
    before = entry.status
    entry.status = step.target
    entry.version += 1
    entry.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.{action}",
        obj=entry,
        area_code=entry.area_id,
        before={"status": before},
        after={"status": step.target},
        note=note,
    )
    return entry


# ---- staged import ----------------------------------------------------------------------------


def _import_folder() -> Path:
    folder = Path(settings.FANPIN_HOME) / "ledger-imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ledger_import_upload(*, actor: Any, ledger: Ledger, source: Path, file_name: str):
    """Keep the uploaded file and queue its check (job "ledgers.import_parse"): the batch then waits in
    待确认 with its errors by row and column. Nothing is written to the ledger until it is committed."""
    from fanpin.core.jobs import job_enqueue
    from fanpin.ledgers.models import LedgerImport

    user = _user(actor)
    if user is not None and not user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    if Path(file_name).suffix.lower() != ".xlsx":
        raise ApplicationError(f"文件“{file_name}”不是 .xlsx 文件：请下载本台账的导入模板，填好后上传。")
    target = _import_folder() / "source.xlsx"
    shutil.copyfile(source, target)
    area = area_prefix(user) if user is not None else ""
    with transaction.atomic():
        batch = LedgerImport.objects.create(
            ledger=ledger.slug,
            file_name=file_name,
            file_path=str(target),
            area_code=area or "",
            created_by=user,
        )
        batch.job = job_enqueue(
            kind="ledgers.import_parse",
            title=f"检查{ledger.title} {file_name}",
            params={"batch": batch.pk},
            actor=actor,
            area_code=batch.area_code,
        )
        batch.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action=f"ledger.{ledger.slug}.import_upload",
            obj=batch,
            area_code=batch.area_code,
            note=file_name,
        )
    return batch


def ledger_import_parse(*, batch, user: Any, on_progress=None) -> dict:
    """The check (the parse job): every row through the ledger's form, outside any write transaction;
    then the errors and counts in one short transaction."""
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.importing import Issue, ParseResult, parse_file
    from fanpin.ledgers.models import LedgerImport
    from fanpin.ledgers.models.imports import LedgerImportStatus

    try:
        result = parse_file(
            get_ledger(batch.ledger), Path(batch.file_path), user=_user(user), on_progress=on_progress
        )
    except ApplicationError as exc:  # an unreadable file: the batch says so instead of staying 检查中
        result = ParseResult(issues=[Issue(None, "", "", exc.message)], counts={"rows": 0, "errors": 1})
    with transaction.atomic():
        _save_issues(batch, result.issues)
        LedgerImport.objects.filter(pk=batch.pk).update(
            counts=result.counts, status=LedgerImportStatus.REVIEW, message=""
        )
    return result.counts


def _save_issues(batch, issues) -> None:
    from fanpin.ledgers.models import LedgerImportIssue

    LedgerImportIssue.objects.filter(batch=batch).delete()
    LedgerImportIssue.objects.bulk_create(
        [
            LedgerImportIssue(
                batch=batch, row=i.row, column=i.column[:100], value=i.value[:200], message=i.message[:500]
            )
            for i in issues
        ],
        batch_size=2000,
    )


def ledger_import_commit(*, actor: Any, batch):
    """Queue the write (job "ledgers.import_commit"); refused while the file has errors."""
    from fanpin.core.jobs import job_enqueue
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.models import LedgerImport
    from fanpin.ledgers.models.imports import LedgerImportStatus

    ledger = get_ledger(batch.ledger)
    user = _user(actor)
    if user is not None and not user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    with transaction.atomic():
        locked = LedgerImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != LedgerImportStatus.REVIEW:
            raise ApplicationError(f"该批次状态为“{locked.get_status_display()}”，不能导入。")
        if locked.error_count:
            raise ApplicationError(
                f"文件有 {locked.error_count} 处错误，不能导入：请按错误清单（行、列、说明）改正后重新上传。"
            )
        locked.status = LedgerImportStatus.COMMITTING
        locked.job = job_enqueue(
            kind="ledgers.import_commit",
            title=f"导入{ledger.title} {batch.file_name}",
            params={"batch": batch.pk},
            actor=actor,
            area_code=locked.area_code,
        )
        locked.save(update_fields=["status", "job"])
    batch.refresh_from_db()
    return locked.job


@transaction.atomic
def ledger_import_cancel(*, actor: Any, batch) -> None:
    """Give up a staged file (待确认): nothing of it was written; the batch is kept as 已取消."""
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.models import LedgerImport
    from fanpin.ledgers.models.imports import LedgerImportStatus

    ledger = get_ledger(batch.ledger)
    user = _user(actor)
    if user is not None and not user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    locked = LedgerImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status != LedgerImportStatus.REVIEW:
        raise ApplicationError(f"该批次状态为“{locked.get_status_display()}”，不能取消。")
    locked.status = LedgerImportStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.import_cancel",
        obj=locked,
        area_code=locked.area_code,
        note=locked.file_name,
    )
    batch.refresh_from_db()


def ledger_import_write(*, batch, actor: Any, on_progress=None) -> dict:
    """The write (the commit job): the whole file in one transaction, or nothing. The file is read and
    checked again first (the ledger or the registry may have changed since the review), and any error
    refuses it all; the batch goes back to 待确认 with the new errors."""
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.importing import parse_file
    from fanpin.ledgers.models import LedgerImport
    from fanpin.ledgers.models.imports import LedgerImportStatus

    ledger = get_ledger(batch.ledger)
    user = _user(actor)
    try:
        result = parse_file(ledger, Path(batch.file_path), user=user, on_progress=on_progress)
    except ApplicationError as exc:  # the file is gone or unreadable: back to review, nothing written
        from fanpin.ledgers.framework.importing import Issue, ParseResult

        result = ParseResult(issues=[Issue(None, "", "", exc.message)], counts={"rows": 0, "errors": 1})
    if result.issues:
        message = f"文件有 {len(result.issues)} 处错误，未导入任何记录。请按错误清单（行、列、说明）改正后重新上传。"
        with transaction.atomic():
            _save_issues(batch, result.issues)
            LedgerImport.objects.filter(pk=batch.pk).update(
                counts=result.counts, status=LedgerImportStatus.REVIEW, message=message
            )
        raise ApplicationError(message)
    with transaction.atomic():
        locked = LedgerImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != LedgerImportStatus.COMMITTING:
            raise ApplicationError("该批次已被处理，不能重复导入。")
        buffer = AuditBuffer(actor)
        label = ledger.model._meta.label_lower
        new = []
        updated = 0
        for _row, form in result.forms:
            if form.instance.pk:
                before = snapshot(ledger, ledger.model.objects.get(pk=form.instance.pk))
                entry = form.save(commit=False)
                check_permission(actor, ledger.edit_permission, entry.area_id)
                after = snapshot(ledger, entry)
                changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
                if changed:
                    entry.version += 1
                    entry.save()
                    updated += 1
                    buffer.add(
                        action=f"ledger.{ledger.slug}.update",
                        object_type=label,
                        object_id=str(entry.pk),
                        object_repr=str(entry),
                        area_code=entry.area_id,
                        changed=changed,
                        note=f"导入 {batch.file_name}",
                    )
            else:
                entry = form.save(commit=False)
                check_permission(actor, ledger.edit_permission, entry.area_id)
                entry.created_by = user
                if ledger.initial_status:
                    entry.status = ledger.initial_status
                new.append(entry)
        created = ledger.model.objects.bulk_create(new, batch_size=1000)
        for entry in created:
            buffer.add(
                action=f"ledger.{ledger.slug}.create",
                object_type=label,
                object_id=str(entry.pk or ""),
                object_repr=str(entry),
                area_code=entry.area_id,
                after=snapshot(ledger, entry),
                note=f"导入 {batch.file_name}",
            )
        buffer.flush()
        counts = {**result.counts, "created": len(created), "updated": updated}
        counts["unchanged"] = counts["rows"] - len(created) - updated
        locked.status = LedgerImportStatus.COMMITTED
        locked.counts = counts
        locked.message = ""
        locked.committed_at = timezone.now()
        locked.save(update_fields=["status", "counts", "message", "committed_at"])
        audit_record(
            actor=actor,
            action=f"ledger.{ledger.slug}.import_commit",
            obj=locked,
            area_code=locked.area_code,
            after=counts,
            note=batch.file_name,
        )
    batch.refresh_from_db()
    return counts


@transaction.atomic
def ledger_export_record(*, actor: Any, ledger: Ledger, rows: int, personal: bool, filters: dict) -> None:
    """Every export leaves an audit event; one with personal data in full says so."""
    user = _user(actor)
    audit_record(
        actor=actor,
        action=f"ledger.{ledger.slug}.export",
        object_type="ledgers.export",
        object_repr=ledger.title,
        area_code=(area_prefix(user) if user is not None else "") or "",
        after={"rows": rows, "personal": personal, "filters": {k: str(v) for k, v in filters.items() if v}},
        note="含完整个人信息" if personal else "个人信息已脱敏",
    )

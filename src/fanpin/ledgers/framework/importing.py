"""Reading a ledger .xlsx: headers by label, every row through the ledger's form, errors by row and
column with what to do. Writing: the template (with a sheet of notes) and the export."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db import models

from fanpin.core.errors import ApplicationError
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Ledger
from fanpin.ledgers.framework.forms import field_hint, ledger_form
from fanpin.ledgers.framework.values import shown_value

ID_LABEL = "编号"
MAX_ROWS = 300_000


@dataclass
class Issue:
    row: int | None
    column: str
    value: str
    message: str


@dataclass
class ParseResult:
    forms: list = field(default_factory=list)  # (row number, bound valid form)
    issues: list[Issue] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _header_key(text: Any) -> str:
    return str(text or "").strip().rstrip("*＊").strip()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | date):
        return value
    return str(value)  # a time or duration cell: the form says what the column expects


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


BOOL_TEXT = {
    "是": True,
    "否": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
}


def _masked(ledger: Ledger, name: str, value: str) -> str:
    """An issue shows the value found, with ID numbers and phones masked as everywhere else."""
    from fanpin.core.masking import mask_id, mask_phone

    try:
        column = ledger.column(name)
    except KeyError:
        return value
    kind = column.personal or ("id" if name == MEMBER else "")
    if not kind or not value:
        return value
    return mask_id(value) if kind == "id" else mask_phone(value)


def read_rows(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a broken or non-xlsx file (calamine may even panic on damaged data)
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise ApplicationError(
            f"无法读取文件（{reason}）。文件可能已损坏或不是 .xlsx：请用 Excel 打开后另存为 .xlsx，或按本台账模板重新填写后上传。"
        ) from None


def parse_file(ledger: Ledger, path: Path, *, user: Any, on_progress=None) -> ParseResult:
    rows = read_rows(path)
    result = ParseResult()
    if not rows:
        result.issues.append(Issue(None, "", "", "文件是空的：第 1 行应为列名，请使用本台账的导入模板。"))
        result.counts = {"rows": 0, "errors": 1}
        return result
    header = [_header_key(h) for h in rows[0]]
    by_label = {ledger.label(c): c for c in ledger.columns}
    positions: dict[str, int] = {}
    id_pos = None
    for i, text in enumerate(header):
        if text == ID_LABEL:
            id_pos = i
        elif text in by_label:
            positions[by_label[text].name] = i
        elif text:
            result.issues.append(
                Issue(1, text, text, f"不认识的列“{text}”：请删除该列，或改为模板中的列名。")
            )
    form_class = ledger_form(ledger)
    probe = form_class(None)
    for column in ledger.editable_columns:
        if column.name not in positions and probe.fields[column.name].required:
            result.issues.append(
                Issue(
                    1, ledger.label(column), "", f"缺少必填列“{ledger.label(column)}”：请按导入模板补上该列。"
                )
            )
    if result.issues:
        result.counts = {"rows": max(0, len(rows) - 1), "errors": len(result.issues)}
        return result
    if len(rows) - 1 > MAX_ROWS:
        raise ApplicationError(
            f"文件有 {len(rows) - 1} 行，超过单次导入上限 {MAX_ROWS} 行，请拆分后分批导入。"
        )

    from fanpin.ledgers.framework.selectors import entry_list

    editable = [c for c in ledger.editable_columns if c.name in positions]
    bool_fields = {
        c.name
        for c in editable
        if c.name not in (AREA, HOUSEHOLD, MEMBER)
        and isinstance(ledger.model._meta.get_field(c.name), models.BooleanField)
    }
    date_fields = {
        c.name
        for c in editable
        if c.name not in (AREA, HOUSEHOLD, MEMBER)
        and isinstance(ledger.model._meta.get_field(c.name), models.DateField)
    }
    cache: dict = {}
    blank_form = form_class(None, user=user, cache=cache)
    keys: dict[tuple, int] = {}
    seen_ids: dict[int, int] = {}
    existing = None
    total = 0
    last = len(rows) - 1
    for index, raw in enumerate(rows[1:], start=2):
        if on_progress is not None and index % 500 == 0:
            on_progress(index - 1, last)
        cells = [_cell(v) for v in raw]
        if not any(c not in ("", None) for c in cells):
            continue
        total += 1
        row_issues: list[Issue] = []
        instance = None
        if id_pos is not None and id_pos < len(cells) and cells[id_pos] not in ("", None):
            text = str(cells[id_pos])
            if existing is None:
                existing = (
                    entry_list(user=user, ledger=ledger) if user is not None else ledger.model.objects.all()
                )
            instance = existing.filter(pk=int(text)).first() if text.isdigit() else None
            if instance is None:
                row_issues.append(
                    Issue(
                        index,
                        ID_LABEL,
                        text,
                        f"编号 {text} 的记录不存在或不在您的管辖范围内。新增记录请把“编号”留空。",
                    )
                )
            elif instance.pk in seen_ids:
                row_issues.append(
                    Issue(
                        index,
                        ID_LABEL,
                        text,
                        f"编号 {text} 与第 {seen_ids[instance.pk]} 行重复：同一条记录只能出现一次。",
                    )
                )
            else:
                seen_ids[instance.pk] = index
        data: dict[str, Any] = {}
        for column in editable:
            pos = positions[column.name]
            value = cells[pos] if pos < len(cells) else ""
            if column.name in bool_fields:
                if value in ("", None):
                    value = None
                elif isinstance(value, bool):
                    pass
                elif str(value).strip().lower() in BOOL_TEXT:
                    value = BOOL_TEXT[str(value).strip().lower()]
                else:
                    row_issues.append(Issue(index, ledger.label(column), _text(value), "请填“是”或“否”。"))
                    value = None
                if value is None and not ledger.model._meta.get_field(column.name).null:
                    value = False
            elif column.name in date_fields and isinstance(value, str) and len(value) == 10:
                try:
                    value = date.fromisoformat(value)  # the common case, without the form's strptime loop
                except ValueError:
                    pass  # the form says what is wrong
            data[column.name] = value
        if row_issues:
            result.issues.extend(row_issues)
            continue
        if instance is None:
            form = blank_form.rebind(data)
        else:
            form = form_class(data, user=user, instance=instance, cache=cache)
        if not form.is_valid():
            for name, errors in form.errors.as_data().items():
                label = form.fields[name].label if name in form.fields else ""
                value = _text(data.get(name, "")) if name in data else ""
                value = _masked(ledger, name, value)
                for error in errors:
                    message = " ".join(error.messages)
                    # Django's own format errors say what is wrong; the column's hint says what to write.
                    hint = field_hint(ledger, name) if name in form.fields and error.code else ""
                    if hint and hint not in message:
                        message = f"{message}（{hint}）"
                    result.issues.append(Issue(index, label, value, message))
            continue
        if ledger.natural_key:
            key = tuple(form.cleaned_data.get(n) for n in ledger.natural_key)
            if all(k not in (None, "") for k in key):
                key = tuple(getattr(k, "pk", k) for k in key)
                if key in keys:
                    labels = "、".join(ledger.label(n) for n in ledger.natural_key)
                    result.issues.append(
                        Issue(
                            index,
                            ledger.label(ledger.natural_key[-1]),
                            "",
                            f"与第 {keys[key]} 行的（{labels}）相同：同一记录只能录入一次，请合并或删除重复行。",
                        )
                    )
                    continue
                keys[key] = index
        result.forms.append((index, form))
    result.counts = {"rows": total, "valid": len(result.forms), "errors": len(result.issues)}
    if total == 0:
        result.issues.append(Issue(None, "", "", "文件中没有数据行：请从第 2 行起填写。"))
        result.counts["errors"] = 1
    return result


# ---- writing ----------------------------------------------------------------------------------


def _write_value(ws, r: int, c: int, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否")
    elif isinstance(value, Decimal):
        ws.write_number(r, c, float(value))
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif isinstance(value, date):
        ws.write_string(r, c, value.isoformat())
    else:
        ws.write_string(r, c, str(value))


def export_bytes(ledger: Ledger, entries, *, personal: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(ledger.title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    headers = [ID_LABEL, *[ledger.label(c) for c in ledger.columns]]
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, max(10, len(title) * 2 + 2))
    ws.freeze_panes(1, 0)
    for r, entry in enumerate(entries, start=1):
        ws.write_number(r, 0, entry.pk)
        for c, column in enumerate(ledger.columns, start=1):
            _write_value(ws, r, c, shown_value(ledger, column, entry, personal=personal, export=True))
    book.close()
    return buffer.getvalue()


def template_bytes(ledger: Ledger) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(ledger.title[:31])
    notes = book.add_worksheet("填写说明")
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    required_fmt = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    probe = ledger_form(ledger)(None)
    columns = ledger.editable_columns
    ws.write_string(0, 0, ID_LABEL, bold)
    ws.set_column(0, 0, 8)
    notes.write_row(0, 0, ["列名", "是否必填", "填写要求"], bold)
    notes.set_column(0, 0, 22)
    notes.set_column(2, 2, 80)
    notes.write_row(1, 0, [ID_LABEL, "否", "新增记录留空；修改已有记录时填写导出文件中的编号"])
    for c, column in enumerate(columns, start=1):
        label = ledger.label(column)
        required = probe.fields[column.name].required
        ws.write_string(0, c, label, required_fmt if required else bold)
        ws.set_column(c, c, max(10, len(label) * 2 + 2))
        notes.write_row(c + 1, 0, [label, "是" if required else "否", field_hint(ledger, column.name)])
    row = len(columns) + 3
    if ledger.aggregate_note:
        notes.write_string(row, 0, "汇总行", bold)
        notes.write_string(row, 2, ledger.aggregate_note)
        row += 1
    if ledger.description:
        notes.write_string(row, 0, "说明", bold)
        notes.write_string(row, 2, ledger.description)
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()

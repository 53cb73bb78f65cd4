"""Pages of the ledgers, generated from the definitions: list, form, detail, import, export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.excel import XLSX_TYPE
from fanpin.core.masking import mask_values
from fanpin.ledgers.campaigns.selectors import campaign_list
from fanpin.ledgers.framework.definition import AREA, LEDGERS, get_ledger
from fanpin.ledgers.framework.forms import ledger_filter_form, ledger_form
from fanpin.ledgers.framework.importing import export_bytes, template_bytes
from fanpin.ledgers.framework.selectors import entry_get, entry_history, entry_list, import_get, import_list
from fanpin.ledgers.framework.services import (
    LedgerFormError,
    ledger_entry_create,
    ledger_entry_delete,
    ledger_entry_transition,
    ledger_entry_update,
    ledger_export_record,
    ledger_import_commit,
    ledger_import_upload,
)
from fanpin.ledgers.framework.values import shown_value
from fanpin.ledgers.policy import settings_in_force


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _area_filters(request, form):
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    area = current_area(request)
    if area is not None and not (filters.get("area") or "").strip():
        filters["area"] = area.code
    return filters, area


@login_required
def index(request):
    area = current_area(request)
    code = area.code if area is not None else ""
    ledgers = [
        (ledger, entry_list(user=request.user, ledger=ledger, filters={"area": code}).count())
        for ledger in LEDGERS.values()
    ]
    return render(
        request,
        "ledgers/index.html",
        {
            "ledgers": ledgers,
            "campaigns": campaign_list(user=request.user, area=code)[:10],
            "settings": settings_in_force(province_code=(code or "14")[:2]),
            "area": area,
        },
    )


@login_required
def entries(request, ledger: str):
    ledger = get_ledger(ledger)
    form = ledger_filter_form(ledger, request.GET)
    filters, area = _area_filters(request, form)
    qs = entry_list(user=request.user, ledger=ledger, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    columns = [c for c in ledger.columns if c.in_list]
    rows = [
        (e, [e.area.name if c.name == AREA else shown_value(ledger, c, e) for c in columns]) for e in page
    ]
    return render(
        request,
        "ledgers/entry_list.html",
        {
            "ledger": ledger,
            "form": form,
            "page": page,
            "headers": ["区划" if c.name == AREA else ledger.label(c) for c in columns],
            "rows": rows,
            "can_edit": request.user.has_role_permission(ledger.edit_permission),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def entry_detail(request, ledger: str, entry_id: int):
    ledger = get_ledger(ledger)
    entry = entry_get(user=request.user, ledger=ledger, entry_id=entry_id)
    fields = [(ledger.label(c), shown_value(ledger, c, entry)) for c in ledger.columns]
    steps = [
        t
        for t in ledger.transitions
        if getattr(entry, "status", None) in t.sources and request.user.has_role_permission(t.permission)
    ]
    history = [
        (e, mask_values(e.before), mask_values(e.after))
        for e in entry_history(user=request.user, ledger=ledger, entry=entry)[:50]
    ]
    return render(
        request,
        "ledgers/entry_detail.html",
        {
            "ledger": ledger,
            "entry": entry,
            "fields": fields,
            "steps": steps,
            "history": history,
            "can_edit": request.user.has_role_permission(ledger.edit_permission),
        },
    )


def _form_page(request, ledger, form, title, entry=None):
    return render(
        request, "ledgers/entry_form.html", {"ledger": ledger, "form": form, "title": title, "entry": entry}
    )


@login_required
def entry_new(request, ledger: str):
    ledger = get_ledger(ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权录入台账")
    area = current_area(request)
    form_class = ledger_form(ledger)
    if request.method == "POST":
        try:
            entry = ledger_entry_create(actor=request.user, ledger=ledger, values=request.POST)
        except LedgerFormError as exc:
            form = exc.form
        except ApplicationError as exc:
            form = form_class(request.POST, user=request.user)
            form.is_valid()
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新增：{entry}")
            return redirect("ledgers:entry_detail", ledger=ledger.slug, entry_id=entry.pk)
    else:
        initial = {"area": area.code} if area is not None and area.level in ledger.area_levels else {}
        form = form_class(user=request.user, initial=initial)
    return _form_page(request, ledger, form, f"新增{ledger.title}")


@login_required
def entry_edit(request, ledger: str, entry_id: int):
    ledger = get_ledger(ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权修改台账")
    entry = entry_get(user=request.user, ledger=ledger, entry_id=entry_id)
    form_class = ledger_form(ledger)
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            entry = ledger_entry_update(
                actor=request.user,
                ledger=ledger,
                entry=entry,
                values=request.POST,
                version=int(version) if version.isdigit() else None,
            )
        except LedgerFormError as exc:
            form = exc.form
        except ApplicationError as exc:
            form = form_class(
                request.POST,
                user=request.user,
                instance=entry_get(user=request.user, ledger=ledger, entry_id=entry_id),
            )
            form.is_valid()
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("ledgers:entry_detail", ledger=ledger.slug, entry_id=entry.pk)
    else:
        form = form_class(user=request.user, instance=entry)
    return _form_page(request, ledger, form, f"修改{ledger.title}", entry)


@require_POST
@login_required
def entry_delete(request, ledger: str, entry_id: int):
    ledger = get_ledger(ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权删除台账记录")
    entry = entry_get(user=request.user, ledger=ledger, entry_id=entry_id)
    try:
        ledger_entry_delete(actor=request.user, ledger=ledger, entry=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("ledgers:entry_detail", ledger=ledger.slug, entry_id=entry_id)
    messages.success(request, "已删除。")
    return redirect("ledgers:entry_list", ledger=ledger.slug)


@require_POST
@login_required
def entry_transition(request, ledger: str, entry_id: int, action: str):
    ledger = get_ledger(ledger)
    entry = entry_get(user=request.user, ledger=ledger, entry_id=entry_id)
    step = ledger.transition(action)
    if step is None or not request.user.has_role_permission(step.permission):
        raise PermissionDenied("您的角色无权进行此操作")
    try:
        ledger_entry_transition(
            actor=request.user, ledger=ledger, entry=entry, action=action, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{step.label}。")
    return redirect("ledgers:entry_detail", ledger=ledger.slug, entry_id=entry_id)


@login_required
def export(request, ledger: str):
    ledger = get_ledger(ledger)
    form = ledger_filter_form(ledger, request.GET)
    filters, _area = _area_filters(request, form)
    qs = entry_list(user=request.user, ledger=ledger, filters=filters)
    personal = request.user.has_role_permission(Permission.VIEW_PERSONAL)
    content = export_bytes(ledger, qs.iterator(chunk_size=2000), personal=personal)
    ledger_export_record(
        actor=request.user, ledger=ledger, rows=qs.count(), personal=personal, filters=filters
    )
    return _xlsx(content, f"{ledger.title}.xlsx")


@login_required
def template(request, ledger: str):
    ledger = get_ledger(ledger)
    return _xlsx(template_bytes(ledger), f"{ledger.title}导入模板.xlsx")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="导入文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )


@login_required
def import_new(request, ledger: str):
    ledger = get_ledger(ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                batch = ledger_import_upload(
                    actor=request.user, ledger=ledger, source=Path(tmp.name), file_name=upload.name
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("ledgers:import_detail", batch_id=batch.pk)
    recent = import_list(user=request.user, ledger=ledger)[:10]
    return render(request, "ledgers/import_new.html", {"ledger": ledger, "form": form, "recent": recent})


@login_required
def import_detail(request, batch_id: int):
    batch = import_get(user=request.user, batch_id=batch_id)
    ledger = get_ledger(batch.ledger)
    page = Paginator(batch.issues.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "ledgers/import_detail.html",
        {
            "batch": batch,
            "ledger": ledger,
            "page": page,
            "can_edit": request.user.has_role_permission(ledger.edit_permission),
        },
    )


@require_POST
@login_required
def import_commit(request, batch_id: int):
    batch = import_get(user=request.user, batch_id=batch_id)
    ledger = get_ledger(batch.ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    try:
        counts = ledger_import_commit(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("ledgers:import_detail", batch_id=batch.pk)
    messages.success(
        request,
        f"已导入：新增 {counts['created']} 条，修改 {counts['updated']} 条，未变 {counts['unchanged']} 条。",
    )
    return redirect("ledgers:entry_list", ledger=ledger.slug)

"""Pages of the ledgers, generated from the definitions: list, form, detail, import, export."""

from __future__ import annotations

import tempfile
from decimal import Decimal
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
from fanpin.ledgers.framework.definition import AREA, LEDGERS, MEMBER, get_ledger
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
    ledger_import_cancel,
    ledger_import_commit,
    ledger_import_upload,
)
from fanpin.ledgers.framework.values import shown_value
from fanpin.ledgers.policy import settings_in_force


def _summary(user, ledger, filters) -> tuple[list[tuple[str, str]], int]:
    """The ledger's indicators for the listed area and year (the 年度 filter, or this year up to today),
    e.g. 整改完成率, 资金项目匹配率 — computed as the campaigns compute them."""
    from datetime import date

    from fanpin.core.scope import area_prefix, user_covers
    from fanpin.ledgers.campaigns.progress import fmt_amount

    today = date.today()
    given = str(filters.get("year") or "")
    year = int(given) if given.isdigit() and 2000 <= int(given) <= 2100 else today.year
    area = str(filters.get("area") or "").strip() or (area_prefix(user) or "")
    if not area.isdigit() or not user_covers(user, area):
        return [], year
    end = min(date(year, 12, 31), today)
    start = date(year, 1, 1)
    if end < start:
        return [], year
    from fanpin.ledgers.policy import setting_value

    out = []
    for m in ledger.metrics:
        value = m.compute(area, start, end)
        text = fmt_amount(value, m.unit, 1)
        if m.floor_setting:
            floor = setting_value(m.floor_setting, province_code=area[:2] or "14", on=end)
            text += f"（{'低于' if value < floor else '不低于'}要求 {fmt_amount(floor, '%', 0)}）"
        out.append((m.label, text))
    return out, year


def _page_value(ledger, column, entry):
    value = shown_value(ledger, column, entry)
    return f"{value:,}" if isinstance(value, Decimal) else value


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
        (e, [e.area.name if c.name == AREA else _page_value(ledger, c, e) for c in columns]) for e in page
    ]
    summary, year = _summary(
        request.user, ledger, {**filters, "year": filters.get("year") or request.GET.get("year")}
    )
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
            "summary": summary,
            "summary_year": year,
        },
    )


@login_required
def entry_detail(request, ledger: str, entry_id: int):
    ledger = get_ledger(ledger)
    entry = entry_get(user=request.user, ledger=ledger, entry_id=entry_id)
    fields = [(ledger.label(c), _page_value(ledger, c, entry)) for c in ledger.columns]
    steps = [
        t
        for t in ledger.transitions
        if getattr(entry, "status", None) in t.sources and request.user.has_role_permission(t.permission)
    ]
    history = _history(ledger, entry_history(user=request.user, ledger=ledger, entry=entry)[:50])
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


ACTIONS = {"create": "新增", "update": "修改", "delete": "删除"}


def _history(ledger, events) -> list:
    """Audit events of an entry in words: 修改 / 乡镇审核通过 …, fields by their Chinese labels, 是/否."""
    labels = {c.name: ledger.label(c) for c in ledger.columns}
    labels.update({"id_number": labels.get(MEMBER, "证件号码"), "phone": "联系电话", "status": "状态"})
    status_names = {}
    if any(f.name == "status" for f in ledger.model._meta.fields):
        status_names = dict(ledger.model._meta.get_field("status").choices or [])

    def words(values: dict | None) -> dict:
        out = {}
        for key, value in mask_values(values).items():
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif key == "status":
                value = status_names.get(value, value)
            out[labels.get(key, key)] = "—" if value in (None, "") else value
        return out

    rows = []
    for event in events:
        action = event.action.rsplit(".", 1)[-1]
        step = ledger.transition(action)
        name = step.label if step else ACTIONS.get(action, action)
        before, after = words(event.before), words(event.after)
        changes = [(k, before.get(k, "—"), v) for k, v in after.items()] if event.before else []
        if action == "delete":
            changes = [(k, v, "—") for k, v in before.items()]
        rows.append((event, name, changes))
    return rows


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
        "ledgers/_import_status.html" if request.htmx else "ledgers/import_detail.html",
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
        ledger_import_commit(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("ledgers:import_detail", batch_id=batch.pk)


@require_POST
@login_required
def import_cancel(request, batch_id: int):
    batch = import_get(user=request.user, batch_id=batch_id)
    ledger = get_ledger(batch.ledger)
    if not request.user.has_role_permission(ledger.edit_permission):
        raise PermissionDenied("您的角色无权导入台账")
    try:
        ledger_import_cancel(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("ledgers:import_detail", batch_id=batch.pk)
    messages.success(request, f"已取消导入 {batch.file_name}，未写入任何记录。")
    return redirect("ledgers:entry_list", ledger=ledger.slug)


class SettingForm(forms.Form):
    key = forms.ChoiceField(label="设置项")
    value = forms.DecimalField(label="取值", max_digits=14, decimal_places=4)
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="依据（文件名称、文号）", max_length=300)

    def __init__(self, *args, **kwargs):
        from fanpin.ledgers.policy import DEFAULTS

        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(k, f"{v[0]}（{v[2]}）") for k, v in DEFAULTS.items()]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name == "key" else "form-control")


@login_required
def policy_settings(request):
    """台账政策设置: the limits in force and their history; province staff add a new value by date."""
    from fanpin.ledgers.policy import ledger_setting_list, ledger_setting_set

    province = (request.user.area_code or "14")[:2]
    form = None
    if request.user.has_role_permission(Permission.MANAGE_POLICY):
        form = SettingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                ledger_setting_set(actor=request.user, province_code=province, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存，按生效日期起用。")
                return redirect("ledgers:settings")
    elif request.method == "POST":
        raise PermissionDenied("您的角色无权修改台账政策设置")
    return render(
        request,
        "ledgers/settings.html",
        {
            "form": form,
            "settings": settings_in_force(province_code=province),
            "history": ledger_setting_list(province_code=province)[:100],
        },
    )

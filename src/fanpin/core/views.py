from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area, set_current_area
from fanpin.core.excel import xlsx_response
from fanpin.core.forms import AuditFilterForm
from fanpin.core.permissions import requires
from fanpin.core.selectors import audit_event_list, job_get, job_list
from fanpin.core.services.audit import AUDIT_EXPORT_HEADERS, audit_export_record, audit_export_rows
from fanpin.divisions.selectors import (
    division_breadcrumbs,
    division_children,
    division_get,
    division_level_counts,
)
from fanpin.registry.selectors import household_summary


@login_required
def home(request):
    area = current_area(request)
    context = {"area": area}
    if area is not None:
        context.update(
            breadcrumbs=division_breadcrumbs(user=request.user, division=area),
            children=division_children(user=request.user, division=area)[:200],
            level_counts=division_level_counts(user=request.user, division=area),
            recent_jobs=job_list(user=request.user)[:5],
            households=household_summary(user=request.user, area_code=area.code),
        )
    return render(request, "core/home.html", context)


@require_POST
@login_required
def area_switch(request):
    division = division_get(user=request.user, code=request.POST.get("code", ""))
    set_current_area(request, division)
    messages.success(request, f"当前区划已切换为：{division.full_name}")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
def jobs(request):
    page = Paginator(job_list(user=request.user).select_related("created_by"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "core/job_list.html", {"page": page})


@login_required
def job_detail(request, job_id: int):
    job = job_get(user=request.user, job_id=job_id)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


AUDIT_EXPORT_LIMIT = 100_000


def _audit_filters(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@requires(Permission.VIEW_AUDIT)
def audit_events(request):
    form, filters = _audit_filters(request)
    qs = audit_event_list(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "form": form, "query": request.GET.urlencode(), "limit": AUDIT_EXPORT_LIMIT},
    )


@requires(Permission.VIEW_AUDIT)
def audit_export(request):
    """The filtered events as .xlsx; the export is itself an audit event (audit.export)."""
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        messages.error(
            request,
            "筛选条件有误，请改正后再导出："
            + "；".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect(reverse("core:audit_list") + "?" + request.GET.urlencode())
    qs = audit_event_list(user=request.user, filters=filters)
    total = qs.count()
    if total > AUDIT_EXPORT_LIMIT:
        messages.error(
            request,
            f"符合条件的记录有 {total} 条，超过一次导出的上限 {AUDIT_EXPORT_LIMIT} 条：请缩小时间范围或区划后再导出。",
        )
        return redirect(reverse("core:audit_list") + "?" + request.GET.urlencode())
    audit_export_record(actor=request.user, filters=filters, count=total)
    return xlsx_response(
        filename=f"审计日志-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="审计日志",
        headers=AUDIT_EXPORT_HEADERS,
        rows=audit_export_rows(qs, user=request.user),
        widths=[20, 14, 24, 30, 20, 14, 40, 40, 40],
    )

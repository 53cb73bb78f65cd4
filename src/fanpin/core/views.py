from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area, set_current_area
from fanpin.core.permissions import requires
from fanpin.core.selectors import audit_event_list, job_get, job_list
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


@requires(Permission.VIEW_AUDIT)
def audit_events(request):
    qs = audit_event_list(user=request.user)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__contains=actor)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "action": action, "actor": actor})

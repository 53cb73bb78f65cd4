from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.monitoring.forms import LeadFilterForm, LeadHandleForm, PolicyForm, RunForm
from fanpin.monitoring.selectors import lead_get, lead_list, policy_list, run_get, run_list, what_if
from fanpin.monitoring.services.leads import lead_handle
from fanpin.monitoring.services.policy import policy_setting_create
from fanpin.monitoring.services.runs import monitoring_run_request


@login_required
def leads(request):
    form = LeadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    area = current_area(request)
    if area is not None and not (filters.get("area") or "").strip():
        filters = {**filters, "area": area.code}
    page = Paginator(lead_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/lead_list.html", {"form": form, "page": page})


@login_required
def lead_detail(request, lead_id: int):
    lead = lead_get(user=request.user, lead_id=lead_id)
    form = LeadHandleForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_role_permission(Permission.EDIT):
            raise PermissionDenied("您的角色无权核实线索")
        if form.is_valid():
            try:
                lead_handle(
                    actor=request.user,
                    lead=lead,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已记录核实结果。")
                return redirect("monitoring:lead_detail", lead_id=lead.pk)
    return render(
        request,
        "monitoring/lead_detail.html",
        {"lead": lead, "form": form, "can_edit": request.user.has_role_permission(Permission.EDIT)},
    )


@login_required
def runs(request):
    form = None
    if request.user.has_role_permission(Permission.RUN_MONITORING):
        area = current_area(request)
        form = RunForm(request.POST or None, initial={"area": area.code if area else ""})
        if request.method == "POST" and form.is_valid():
            year, month = form.cleaned_data["month"]
            try:
                _run, job = monitoring_run_request(
                    actor=request.user, area_code=form.cleaned_data["area"], year=year, month=month
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied:
                form.add_error("area", "该区划不在您的管辖范围内。")
            else:
                return redirect("core:job_detail", job_id=job.pk)
    elif request.method == "POST":
        raise PermissionDenied("您的角色无权运行月度监测")
    page = Paginator(run_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "monitoring/run_list.html", {"form": form, "page": page})


@login_required
def run_detail(request, run_id: int):
    run = run_get(user=request.user, run_id=run_id)
    return render(request, "monitoring/run_detail.html", {"run": run})


@login_required
def policies(request):
    form = None
    if request.user.has_role_permission(Permission.MANAGE_POLICY):
        form = PolicyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                policy_setting_create(
                    actor=request.user,
                    province_code=request.user.area_code[:2] if request.user.area_code else "14",
                    year=form.cleaned_data["year"],
                    threshold=form.cleaned_data["threshold"],
                    effective_from=form.cleaned_data["effective_from"],
                    params=form.params(),
                    source=form.cleaned_data["source"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存新的政策设置版本。")
                return redirect("monitoring:policies")
    elif request.method == "POST":
        raise PermissionDenied("您的角色无权设置监测政策")
    return render(
        request,
        "monitoring/policy_list.html",
        {"form": form, "settings_list": policy_list(user=request.user)},
    )


@login_required
def what_if_view(request):
    """假如监测范围调整为 X 元：各县会有多少户、多少人低于监测范围（与现行标准对比）。"""
    from decimal import Decimal, InvalidOperation

    from fanpin.monitoring.models import HouseholdSnapshot
    from fanpin.monitoring.services.policy import policy_in_force

    area = current_area(request)
    latest = HouseholdSnapshot.objects.order_by("-year", "-month").values("year", "month").first()
    context = {"area": area, "rows": [], "error": ""}
    month_text = request.GET.get("month") or (f"{latest['year']}-{latest['month']:02d}" if latest else "")
    context["month"] = month_text
    context["threshold"] = request.GET.get("threshold", "")
    if area is not None and month_text:
        try:
            year, month = (int(x) for x in month_text.split("-"))
            current = policy_in_force(province_code=area.code[:2], year=year).threshold
            threshold = Decimal(context["threshold"] or current)
            if threshold <= 0:
                raise InvalidOperation
        except (ValueError, InvalidOperation):
            context["error"] = "请填写正确的月份（YYYY-MM）和监测范围（元，正数）。"
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            rows = what_if(
                user=request.user,
                area_code=area.code,
                year=year,
                month=month,
                threshold=threshold,
                current=current,
            )
            context.update(
                rows=rows,
                current=current,
                threshold=threshold,
                totals={
                    k: sum(r[k] for r in rows)
                    for k in ("households", "now_households", "now_people", "x_households", "x_people")
                },
            )
    return render(request, "monitoring/what_if.html", context)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.health import health_values
from fanpin.core.masking import mask_values
from fanpin.core.permissions import requires
from fanpin.divisions.selectors import division_breadcrumbs
from fanpin.registry.forms import HOUSEHOLD_FORM_FIELDS, HouseholdFilterForm, HouseholdForm, MemberForm
from fanpin.registry.selectors import (
    household_get,
    household_history,
    household_list,
    income_list,
    member_get,
    member_list,
)
from fanpin.registry.services.households import (
    household_create,
    household_personal_reveal,
    household_update,
    member_add,
    member_update,
)


@login_required
def household_index(request):
    form = HouseholdFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    area = current_area(request)
    if area is not None and not (filters.get("area") or "").strip():
        filters = {**filters, "area": area.code}
    qs = household_list(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "breadcrumbs": division_breadcrumbs(user=request.user, division=area) if area else [],
            "can_edit": request.user.has_role_permission(Permission.EDIT),
        },
    )


@login_required
def household_detail(request, household_id: int, *, show_personal: bool = False, reveal_error: str = ""):
    household = household_get(user=request.user, household_id=household_id)
    incomes = list(income_list(user=request.user, household=household))
    chart = {
        "labels": [f"{r.year}-{r.month:02d}" + ("（全年）" if r.months == 12 else "") for r in incomes],
        "net": [float(r.net) for r in incomes],  # chart drawing only; figures shown as Decimal text
        "wage": [float(r.wage) for r in incomes],
        "transfer": [float(r.transfer) for r in incomes],
    }
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": member_list(user=request.user, household=household),
            "incomes": incomes,
            "chart": chart,
            "history": [
                (event, health_values(mask_values(event.after, show=show_personal), request.user))
                for event in household_history(user=request.user, household=household)[:100]
            ],
            "breadcrumbs": division_breadcrumbs(user=request.user, division=household.village),
            "can_edit": request.user.has_role_permission(Permission.EDIT),
            "can_view_personal": request.user.has_role_permission(Permission.VIEW_PERSONAL),
            "show_personal": show_personal,
            "reveal_error": reveal_error,
        },
    )


@require_POST
@requires(Permission.VIEW_PERSONAL)
def household_reveal(request, household_id: int):
    """Show this household's ID numbers, phones and health in full, once, with a reason; audited."""
    household = household_get(user=request.user, household_id=household_id)
    try:
        household_personal_reveal(
            actor=request.user, household=household, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        return household_detail(request, household_id, reveal_error=exc.message)
    response = household_detail(request, household_id, show_personal=True)
    response["Cache-Control"] = "no-store"
    return response


def _posted_version(request) -> int:
    value = request.POST.get("version", "")
    if not value.isdigit():
        raise ApplicationError("页面已过期，请刷新后重新编辑。")
    return int(value)


def _apply_form_errors(form, exc: ApplicationError):
    form.add_error(None, exc.message)


@requires(Permission.EDIT)
def household_new(request):
    area = current_area(request)
    initial = {"village_code": area.code} if area is not None and area.level == 5 else {}
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in HOUSEHOLD_FORM_FIELDS}
        try:
            household = household_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                village_code=form.cleaned_data["village_code"],
                **data,
            )
        except ApplicationError as exc:
            _apply_form_errors(form, exc)
        except PermissionDenied:
            form.add_error("village_code", "该村不在您的管辖范围内。")
        else:
            messages.success(request, f"已新增 {household}。")
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "title": "新增农户"})


@requires(Permission.EDIT)
def household_edit(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in HOUSEHOLD_FORM_FIELDS}
        try:
            household = household_update(
                actor=request.user,
                household=household,
                version=_posted_version(request),
                village_code=form.cleaned_data["village_code"],
                **data,
            )
        except ApplicationError as exc:
            _apply_form_errors(form, exc)
        except PermissionDenied:
            form.add_error("village_code", "该村不在您的管辖范围内。")
        else:
            messages.success(request, "已保存。")
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": household, "title": f"修改 {household}"},
    )


@requires(Permission.EDIT)
def member_new(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member_add(actor=request.user, household=household, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, "已添加家庭成员。")
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request, "registry/member_form.html", {"form": form, "household": household, "title": "添加家庭成员"}
    )


@requires(Permission.EDIT)
def member_edit(request, member_id: int):
    member = member_get(user=request.user, member_id=member_id)
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(actor=request.user, member=member, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("registry:household_detail", household_id=member.household_id)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": member.household, "title": f"修改 {member.name}"},
    )

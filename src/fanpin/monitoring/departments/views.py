import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.health import HIDDEN, can_view_health, is_health_source
from fanpin.core.masking import mask_id
from fanpin.monitoring.departments import identity
from fanpin.monitoring.departments.formats import FORMATS
from fanpin.monitoring.departments.forms import DepartmentUploadForm
from fanpin.monitoring.departments.load import department_batch_create
from fanpin.monitoring.departments.match import department_match_request
from fanpin.monitoring.departments.selectors import batch_get, batch_issues, batch_list, batch_unmatched


def _upload(request, form) -> object | None:
    upload = form.cleaned_data["file"]
    year, month = form.cleaned_data["month"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            _batch, job = department_batch_create(
                actor=request.user,
                source=form.cleaned_data["source"],
                path=path,
                file_name=upload.name,
                area_code=form.cleaned_data["area"].strip(),
                year=year,
                month=month,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return None
        except PermissionDenied:
            form.add_error("area", "该区划不在您的管辖范围内。")
            return None
    return job


@login_required
def batches(request):
    form = None
    if request.user.has_role_permission(Permission.UPLOAD_DEPARTMENT_DATA):
        area = current_area(request)
        form = DepartmentUploadForm(
            request.POST or None,
            request.FILES or None,
            initial={"area": area.code if area else (request.user.area_code or "")},
        )
        if request.method == "POST" and form.is_valid():
            job = _upload(request, form)
            if job is not None:
                return redirect("core:job_detail", job_id=job.pk)
    elif request.method == "POST":
        raise PermissionDenied("您的角色无权上传部门数据")
    page = Paginator(batch_list(user=request.user, filters=request.GET), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/department_list.html",
        {"form": form, "page": page, "formats": FORMATS.values()},
    )


@login_required
def batch_detail(request, batch_id: int):
    batch = batch_get(user=request.user, batch_id=batch_id)
    show_ids = request.user.has_role_permission(Permission.VIEW_PERSONAL)
    # A 医保 or 残联 file is health data: who is in it, and its values (fanpin.core.health).
    hide = is_health_source(batch.source) and not can_view_health(request.user)
    unmatched = Paginator(batch_unmatched(batch=batch), 100).get_page(request.GET.get("page"))
    for record in unmatched:
        number = identity.unseal(record.id_number)
        record.shown_id = number if show_ids else mask_id(number)
        if hide:
            record.name, record.shown_id = HIDDEN, HIDDEN
    issues = list(batch_issues(batch=batch)[:500])
    if hide:
        for issue in issues:
            issue.value = HIDDEN if issue.value else issue.value
    return render(
        request,
        "monitoring/department_detail.html",
        {
            "batch": batch,
            "format": FORMATS[batch.source],
            "issues": issues,
            "unmatched": unmatched,
            "can_match": request.user.has_role_permission(Permission.UPLOAD_DEPARTMENT_DATA),
        },
    )


@require_POST
@login_required
def batch_match(request, batch_id: int):
    if not request.user.has_role_permission(Permission.UPLOAD_DEPARTMENT_DATA):
        raise PermissionDenied("您的角色无权生成部门数据预警线索")
    batch = batch_get(user=request.user, batch_id=batch_id)
    try:
        job = department_match_request(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:department_detail", batch_id=batch.pk)
    return redirect("core:job_detail", job_id=job.pk)

"""Pages of the staged import and of the export (导入导出)."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.jobs import job_enqueue
from fanpin.core.permissions import requires
from fanpin.core.selectors import job_get
from fanpin.registry.import_forms import ExportForm, ImportUploadForm, MergeForm
from fanpin.registry.models.import_batch import ImportStatus
from fanpin.registry.national.error_sheet import write_error_sheet
from fanpin.registry.selectors import import_batch_get, import_batch_list
from fanpin.registry.services.imports import import_cancel, import_create, import_merge_request


@login_required
def import_list(request):
    page = Paginator(import_batch_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "registry/import_list.html", {"page": page})


@requires(Permission.EDIT)
def import_new(request):
    area = current_area(request)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"area": area.code if area else ""}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                batch, _job = import_create(
                    actor=request.user,
                    source=Path(tmp.name),
                    file_name=upload.name,
                    area_code=form.cleaned_data["area"],
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied:
                form.add_error("area", "该区划不在您的管辖范围内。")
            else:
                return redirect("registry:import_detail", batch_id=batch.pk)
    return render(request, "registry/import_new.html", {"form": form})


@login_required
def import_detail(request, batch_id: int):
    batch = import_batch_get(user=request.user, batch_id=batch_id)
    level = request.GET.get("level", "")
    issues = batch.issues.all()
    if level in ("error", "warning"):
        issues = issues.filter(level=level)
    page = Paginator(issues, 100).get_page(request.GET.get("page"))
    template = "registry/_import_status.html" if request.htmx else "registry/import_detail.html"
    return render(
        request,
        template,
        {
            "batch": batch,
            "page": page,
            "level": level,
            "merge_form": MergeForm(),
            "can_edit": request.user.has_role_permission(Permission.EDIT),
            "statuses": ImportStatus,
        },
    )


@requires(Permission.EDIT)
def import_merge(request, batch_id: int):
    batch = import_batch_get(user=request.user, batch_id=batch_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_merge_request(actor=request.user, batch=batch, mode=form.cleaned_data["mode"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已开始写入，请稍候。")
    return redirect("registry:import_detail", batch_id=batch.pk)


@requires(Permission.EDIT)
def import_cancel_view(request, batch_id: int):
    batch = import_batch_get(user=request.user, batch_id=batch_id)
    if request.method == "POST":
        try:
            import_cancel(actor=request.user, batch=batch)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, "已取消该批次，数据未写入。")
    return redirect("registry:import_detail", batch_id=batch.pk)


@login_required
def import_error_sheet(request, batch_id: int):
    batch = import_batch_get(user=request.user, batch_id=batch_id)
    path = Path(batch.file_path).with_name("错误清单.xlsx")
    write_error_sheet(batch, path)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{Path(batch.file_name).stem}-错误清单.xlsx"
    )


# The national file carries full ID numbers and phones (VIEW_PERSONAL) and every member's 健康状况 and
# 残疾等级 (VIEW_HEALTH): only roles with both export it (see docs/security.md).
@requires(Permission.VIEW_PERSONAL)
@requires(Permission.VIEW_HEALTH)
def export_new(request):
    area = current_area(request)
    form = ExportForm(request.POST or None, initial={"area": area.code if area else ""})
    if request.method == "POST" and form.is_valid():
        from fanpin.divisions.selectors import division_get

        division = division_get(user=request.user, code=form.cleaned_data["area"])
        job = job_enqueue(
            kind="registry.export_national",
            title=f"导出监测对象信息：{division.full_name}",
            params={"area": division.code, "year": form.cleaned_data["year"]},
            actor=request.user,
            area_code=division.code,
        )
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "registry/export_new.html", {"form": form})


@requires(Permission.VIEW_PERSONAL)
@requires(Permission.VIEW_HEALTH)
def export_download(request, job_id: int):
    job = job_get(user=request.user, job_id=job_id)
    if job.kind != "registry.export_national" or job.status != "succeeded" or not job.result.get("path"):
        raise Http404("导出文件不存在或尚未完成")
    path = Path(job.result["path"])
    if not path.exists():
        raise Http404("导出文件已被清理，请重新导出")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result["file_name"])

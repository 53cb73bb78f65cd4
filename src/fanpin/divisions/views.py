import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.excel import xlsx_response
from fanpin.core.jobs import job_enqueue
from fanpin.core.permissions import requires
from fanpin.divisions.choices import Level
from fanpin.divisions.forms import DivisionUploadForm
from fanpin.divisions.selectors import (
    division_breadcrumbs,
    division_children,
    division_get,
    division_level_counts,
    division_list,
    division_search,
)


@login_required
def division_index(request):
    area = current_area(request)
    if area is None:
        return render(request, "divisions/empty.html")
    return redirect("divisions:detail", code=area.code)


@login_required
def division_detail(request, code: str):
    division = division_get(user=request.user, code=code)
    return render(
        request,
        "divisions/detail.html",
        {
            "division": division,
            "breadcrumbs": division_breadcrumbs(user=request.user, division=division),
            "children": division_children(user=request.user, division=division),
            "level_counts": division_level_counts(user=request.user, division=division),
            "levels": Level,
        },
    )


@login_required
def division_export(request, code: str):
    division = division_get(user=request.user, code=code)
    rows = (
        division_list(user=request.user)
        .filter(code__startswith=division.code)
        .order_by("code")
        .values_list("code", "name", "level", "parent_id")
        .iterator(chunk_size=5000)
    )
    labels = dict(Level.choices)
    return xlsx_response(
        filename=f"行政区划-{division.name}-{division.code}.xlsx",
        sheet="行政区划",
        headers=["区划代码", "名称", "层级", "上级代码"],
        rows=((c, n, labels[lv], p or "") for c, n, lv, p in rows),
        widths=[16, 30, 8, 16],
    )


@login_required
def division_pick(request):
    """Picker: divisions by name or code within the user's area. HTML for htmx, JSON otherwise."""
    results = division_search(user=request.user, query=request.GET.get("q", ""))
    if request.htmx:
        return render(
            request, "divisions/_pick_results.html", {"results": results, "next": request.GET.get("next", "")}
        )
    return JsonResponse(
        {"results": [{"code": d.code, "name": d.name, "level": d.get_level_display()} for d in results]}
    )


@requires(Permission.MANAGE_DIVISIONS)
def division_upload(request):
    form = DivisionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder = settings.FANPIN_HOME / "uploads" / "divisions" / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for f in form.cleaned_data["files"]:
            path = folder / f.name.replace("/", "_")
            with path.open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            paths.append(str(path))
        job = job_enqueue(
            kind="divisions.load",
            title=f"导入行政区划（{len(paths)} 个文件）",
            params={"paths": paths},
            actor=request.user,
        )
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "divisions/upload.html", {"form": form})

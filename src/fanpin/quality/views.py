"""Pages of the data-quality checks (数据质量)."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.excel import xlsx_response
from fanpin.core.health import health_finding
from fanpin.core.permissions import requires
from fanpin.matching.engine.quality import GROUPS, RULES
from fanpin.quality.choices import FORMAT_CODE, ExemptionStatus, RunSource
from fanpin.quality.forms import DecideForm, ExemptionForm, FindingFilterForm, RunForm
from fanpin.quality.selectors import (
    exemption_get,
    exemption_list,
    finding_get,
    finding_list,
    run_get,
    run_list,
    scores,
    trend,
)
from fanpin.quality.services.exemptions import exemption_decide, exemption_request
from fanpin.quality.services.runs import quality_run_request


@login_required
def runs(request):
    form = None
    if request.user.has_role_permission(Permission.EDIT):
        area = current_area(request)
        form = RunForm(
            request.POST or None, request.FILES or None, initial={"area": area.code if area else ""}
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            source = form.cleaned_data["source"]
            try:
                if source == RunSource.UPLOAD:
                    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
                        for chunk in upload.chunks():
                            tmp.write(chunk)
                        tmp.flush()
                        run, _job = quality_run_request(
                            actor=request.user,
                            area_code=form.cleaned_data["area"],
                            source=source,
                            upload=Path(tmp.name),
                            file_name=upload.name,
                        )
                else:
                    run, _job = quality_run_request(
                        actor=request.user, area_code=form.cleaned_data["area"], source=source
                    )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied:
                form.add_error("area", "该区划不在您的管辖范围内。")
            else:
                return redirect("quality:run_detail", run_id=run.pk)
    elif request.method == "POST":
        raise PermissionDenied("您的角色无权运行数据质量校验")
    page = Paginator(run_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "quality/run_list.html", {"form": form, "page": page})


# Household columns that only casework (识别纳入 / 风险消除) changes: read-only on the household form, so a
# finding about them leads to the household's 识别与消除 section instead of the form.
CASEWORK_COLUMNS = frozenset(
    {"监测对象类别", "识别监测时间", "风险是否已消除", "风险消除方式", "消除监测时间", "致贫/返贫风险"}
)


@login_required
def run_detail(request, run_id: int):
    run = run_get(user=request.user, run_id=run_id)
    form = FindingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    findings = finding_list(user=request.user, run=run, filters=filters).select_related("household")
    page = Paginator(findings, 100).get_page(request.GET.get("page"))
    village_scores = scores(run=run, level=5)
    names = {s.code: s.name for s in village_scores}
    needs_form: set[str] = set()
    for finding in page:
        finding.village_name = names.get(finding.village_code, finding.village_code or "（未识别的村）")
        columns = set(finding.fields or [])
        finding.casework = bool(columns & CASEWORK_COLUMNS)
        if columns - CASEWORK_COLUMNS or not columns:
            needs_form.add(finding.household_code)
    for finding in page:
        finding.needs_form = finding.household_code in needs_form
        finding.message, finding.value = health_finding(
            finding.fields, finding.message, finding.value, request.user
        )
    township_scores = scores(run=run, level=4)
    history = trend(user=request.user, area_code=run.area_code) if run.source == RunSource.REGISTRY else []
    return render(
        request,
        "quality/run_detail.html",
        {
            "run": run,
            "form": form,
            "page": page,
            "village": filters.get("village", ""),
            "village_scores": village_scores,
            "township_scores": township_scores,
            "history": history,
            "trend_chart": {
                "labels": [f"{r.pk}·{r.created_at:%m-%d %H:%M}" for r in history],
                "scores": [float(r.score) if r.score is not None else None for r in history],
            },
            "can_edit": request.user.has_role_permission(Permission.EDIT),
            "format_code": FORMAT_CODE,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def run_download(request, run_id: int):
    run = run_get(user=request.user, run_id=run_id)
    findings = finding_list(user=request.user, run=run).values_list(
        "row",
        "fields",
        "household_code",
        "village_code",
        "member_name",
        "code",
        "level",
        "message",
        "value",
        "exempted",
    )
    names = {s.code: s.name for s in scores(run=run, level=5)}
    level_names = {"error": "错误", "warning": "提示"}
    if run.source == RunSource.UPLOAD:
        headers = ["行号", "列", "户编号", "村", "成员", "规则编号", "级别", "说明", "单元格内容", "已豁免"]

        def rows():
            for row, fields, household, village, member, code, level, message, value, exempted in findings:
                message, value = health_finding(fields, message, value, request.user)
                for column in fields or [""]:
                    yield [
                        row,
                        column,
                        household,
                        names.get(village, village),
                        member,
                        code,
                        level_names.get(level, level),
                        message,
                        value,
                        "是" if exempted else "",
                    ]

        widths = [8, 24, 22, 16, 10, 9, 6, 60, 20, 7]
    else:
        headers = ["村", "户编号", "成员", "规则编号", "级别", "说明", "需修改的字段", "已豁免"]

        def rows():
            for _row, fields, household, village, member, code, level, message, _value, exempted in findings:
                message, _value = health_finding(fields, message, _value, request.user)
                yield [
                    names.get(village, village),
                    household,
                    member,
                    code,
                    level_names.get(level, level),
                    message,
                    "、".join(fields or []),
                    "是" if exempted else "",
                ]

        widths = [16, 22, 10, 9, 6, 60, 40, 7]
    return xlsx_response(
        filename=f"数据质量校验{run.pk}-{run.file_name or run.area_code}.xlsx",
        sheet="校验发现",
        headers=headers,
        rows=rows(),
        widths=widths,
    )


@login_required
def rules(request):
    grouped = [(label, [r for r in RULES if r.group == key]) for key, label in GROUPS.items()]
    return render(request, "quality/rules.html", {"grouped": grouped, "total": len(RULES)})


@requires(Permission.EDIT)
def exemption_new(request, finding_id: int):
    finding = finding_get(user=request.user, finding_id=finding_id)
    if finding.household is None:
        messages.error(request, "该户不在系统农户档案中，不能申请豁免；请先导入该户。")
        return redirect("quality:run_detail", run_id=finding.run_id)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exemption_request(
                actor=request.user,
                household=finding.household,
                code=finding.code,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "豁免申请已提交，待乡镇或县级审批。")
            return redirect("quality:run_detail", run_id=finding.run_id)
    return render(request, "quality/exemption_form.html", {"finding": finding, "form": form})


@login_required
def exemptions(request):
    status = request.GET.get("status", ExemptionStatus.PENDING)
    qs = exemption_list(user=request.user, filters={"status": status if status != "all" else ""})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_decide = request.user.has_role_permission(Permission.DECIDE_EXEMPTION)
    return render(
        request,
        "quality/exemption_list.html",
        {"page": page, "status": status, "statuses": ExemptionStatus.choices, "can_decide": can_decide},
    )


@requires(Permission.DECIDE_EXEMPTION)
def exemption_decide_view(request, exemption_id: int):
    exemption = exemption_get(user=request.user, exemption_id=exemption_id)
    if request.method != "POST":
        return redirect("quality:exemption_list")
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择批准、驳回或撤销。")
        return redirect("quality:exemption_list")
    try:
        exemption_decide(
            actor=request.user,
            exemption=exemption,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已{ExemptionStatus(form.cleaned_data['status']).label}：户 {exemption.household.code} 规则 {exemption.code}。",
        )
    return redirect("quality:exemption_list")

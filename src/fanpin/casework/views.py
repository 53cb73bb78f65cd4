from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.casework import flows
from fanpin.casework.choices import CaseKind, CaseStatus, Channel, DocumentKind
from fanpin.casework.forms import (
    ActForm,
    CaseFilterForm,
    CaseOpenForm,
    DocumentForm,
    GreenForm,
    ObjectionForm,
    ObjectionHandleForm,
)
from fanpin.casework.notice import notice_pdf as render_notice_pdf
from fanpin.casework.selectors import (
    case_get,
    case_list,
    document_get,
    households_without_measures,
    notice_cases,
    objection_get,
    timeline,
    user_level,
)
from fanpin.casework.services.cases import (
    case_act,
    case_document_add,
    case_objection_add,
    case_objection_handle,
    case_open,
    case_open_green,
)
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.health import health_text
from fanpin.core.permissions import requires
from fanpin.monitoring.selectors import lead_get
from fanpin.registry.selectors import household_get


@login_required
def case_list_view(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    area = current_area(request)
    if area is not None and not (filters.get("area") or "").strip():
        filters = {**filters, "area": area.code}
    page = Paginator(case_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for case in page:
        case.overdue = flows.is_overdue(case, today)
    level = user_level(request.user)
    return render(
        request,
        "casework/case_list.html",
        {"form": form, "page": page, "level": level, "today": today},
    )


@login_required
def overdue_view(request):
    level = user_level(request.user)
    filters = {"overdue": "1"}
    if level:
        filters["level"] = level
    area = current_area(request)
    if area is not None:
        filters["area"] = area.code
    cases = list(case_list(user=request.user, filters=filters)[:200])
    late = households_without_measures(user=request.user)
    if area is not None:
        late = [x for x in late if x.household.village_id.startswith(area.code)]
    return render(
        request,
        "casework/overdue.html",
        {"cases": cases, "late": late, "level": level, "today": timezone.localdate()},
    )


@requires(Permission.EDIT)
def case_new(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    kind = request.GET.get("kind") or request.POST.get("kind") or CaseKind.IDENTIFICATION
    if kind == "green":
        return _green(request, household)
    if kind not in CaseKind.values:
        kind = CaseKind.IDENTIFICATION
    lead = None
    lead_id = request.GET.get("lead") or request.POST.get("lead")
    if lead_id and str(lead_id).isdigit():
        lead = lead_get(user=request.user, lead_id=int(lead_id))
    initial = {}
    if lead is not None:
        initial = {
            "channel": Channel.LEAD,
            "lead": lead.pk,
            "summary": health_text(lead.reason, request.user),
            "category": lead.suggested_category,
            "risk_types": lead.risk_list,
        }
    form = CaseOpenForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = case_open(
                actor=request.user,
                household=household,
                kind=kind,
                on=d.get("on"),
                channel=d.get("channel", ""),
                lead=lead,
                summary=d.get("summary", ""),
                category=d.get("category", ""),
                risk_types=d.get("risk_types"),
                elimination_method=d.get("elimination_method", ""),
                per_capita_income=d.get("per_capita_income"),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记{case.get_kind_display()}，请进行入户核实。")
            return redirect("casework:case_detail", case_id=case.pk)
    return render(
        request,
        "casework/case_new.html",
        {
            "form": form,
            "household": household,
            "kind": kind,
            "kind_label": CaseKind(kind).label,
            "lead": lead,
        },
    )


def _green(request, household):
    if not request.user.has_role_permission(Permission.APPROVE):
        raise PermissionDenied("绿色通道由县级工作人员启用")
    form = GreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = case_open_green(
                actor=request.user,
                household=household,
                on=d.get("on"),
                category=d["category"],
                risk_types=d["risk_types"],
                summary=d["summary"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已通过绿色通道纳入监测，请督促补办各环节程序。")
            return redirect("casework:case_detail", case_id=case.pk)
    return render(
        request,
        "casework/case_new.html",
        {"form": form, "household": household, "kind": "green", "kind_label": "绿色通道纳入监测"},
    )


@login_required
def case_detail(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    today = timezone.localdate()
    actions = []
    for t in flows.available(case, request.user):
        targets = []
        if t.name == "send_back":
            targets = [
                (s, CaseStatus(s).label) for s in flows.PROCEDURE[: flows.PROCEDURE.index(case.status)]
            ]
        elif t.name == "complete_step":
            targets = [
                (s, CaseStatus(s).label)
                for s in case.pending_steps
                if request.user.has_role_permission(flows.permission_for(t, case, s))
            ]
        actions.append(
            {
                "t": t,
                "targets": targets,
                "decide": case.kind == CaseKind.IDENTIFICATION and t.name in ("verify", "approve"),
                "income": case.kind == CaseKind.ELIMINATION and t.name == "verify",
                "secondary": t.name in ("reject", "send_back", "rollback"),
            }
        )
    can_edit = request.user.has_role_permission(Permission.EDIT) and (
        case.is_open or bool(case.pending_steps)
    )
    refusals = []
    if case.kind == CaseKind.ELIMINATION and case.is_open:
        try:
            refusals = flows.elimination_refusals(case, today)
        except ApplicationError as exc:
            refusals = [exc.message]
    return render(
        request,
        "casework/case_detail.html",
        {
            "case": case,
            "entries": timeline(cases=[case]),
            "actions": actions,
            "act_form": ActForm(),
            "document_form": DocumentForm(),
            "objection_form": ObjectionForm(),
            "handle_form": ObjectionHandleForm(),
            "can_edit": can_edit,
            "overdue": flows.is_overdue(case, today),
            "refusals": refusals,
            "documents": list(case.documents.all()),
            "objections": list(case.objections.all()),
        },
    )


@require_POST
@requires(Permission.EDIT)
def case_act_view(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("casework:case_detail", case_id=case.pk)
    d = form.cleaned_data
    try:
        t = flows.transition(d["action"])
        case = case_act(
            actor=request.user,
            case=case,
            action=d["action"],
            on=d.get("on"),
            reason=d.get("reason", ""),
            target=d.get("target", ""),
            **{k: d.get(k) for k in t.fields if k != "per_capita_income" or d.get(k) is not None},
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已办理：{t.label}。当前状态：{case.status_label}。")
    return redirect("casework:case_detail", case_id=case.pk)


@require_POST
@requires(Permission.EDIT)
def document_upload(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择材料类型和文件。")
    else:
        try:
            doc = case_document_add(
                actor=request.user, case=case, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已上传{DocumentKind(doc.kind).label}：{doc.name}")
    return redirect("casework:case_detail", case_id=case.pk)


@login_required
def document_download(request, document_id: int):
    doc = document_get(user=request.user, document_id=document_id)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name)


@require_POST
@requires(Permission.EDIT)
def objection_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写异议内容。")
    else:
        try:
            case_objection_add(
                actor=request.user,
                case=case,
                content=form.cleaned_data["content"],
                raised_by=form.cleaned_data["raised_by"],
                received_on=form.cleaned_data.get("received_on"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记公示异议，请核实处理后填写处理情况。")
    return redirect("casework:case_detail", case_id=case.pk)


@require_POST
@requires(Permission.EDIT)
def objection_handle(request, objection_id: int):
    objection = objection_get(user=request.user, objection_id=objection_id)
    form = ObjectionHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写核实处理情况。")
    else:
        try:
            case_objection_handle(
                actor=request.user,
                objection=objection,
                handling=form.cleaned_data["handling"],
                on=form.cleaned_data.get("on"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录异议处理情况。")
    return redirect("casework:case_detail", case_id=objection.case_id)


@login_required
def notice_pdf(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    try:
        cases = list(notice_cases(case=case))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("casework:case_detail", case_id=case.pk)
    pdf = render_notice_pdf(case=case, cases=cases)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{case.pk}.pdf"'
    return response

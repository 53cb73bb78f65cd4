"""Campaign pages: list, new, progress page (with targets) and its .xlsx."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import requires
from fanpin.ledgers.campaigns.progress import indicator_choices, target_progress
from fanpin.ledgers.campaigns.selectors import campaign_get, campaign_list, target_get
from fanpin.ledgers.campaigns.services import campaign_create, campaign_target_add, campaign_target_remove
from fanpin.ledgers.campaigns.xlsx import campaign_xlsx
from fanpin.ledgers.views import _xlsx


def _style(form):
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")
    return form


class CampaignForm(forms.Form):
    name = forms.CharField(label="行动名称", max_length=100)
    area_code = forms.CharField(label="区划代码", max_length=12)
    start_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=300, required=False)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label="指标")
    label = forms.CharField(
        label="目标名称", max_length=60, required=False, help_text="如“攻坚目标”“全年任务”"
    )
    target = forms.DecimalField(label="目标值", required=False, help_text="比率指标填百分数，如 100")
    area_code = forms.CharField(label="区划代码", max_length=12, required=False, help_text="留空为行动区划")
    start_on = forms.DateField(
        label="期间开始", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_on = forms.DateField(label="期间结束", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compare_last_year = forms.BooleanField(label="与上年同期比较", required=False)
    decimals = forms.IntegerField(label="百分比小数位", min_value=0, max_value=4, initial=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()
        _style(self)


@login_required
def campaigns(request):
    area = current_area(request)
    qs = campaign_list(user=request.user, area=area.code if area else "")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ledgers/campaign_list.html",
        {"page": page, "can_edit": request.user.has_role_permission(Permission.EDIT)},
    )


@requires(Permission.EDIT)
def campaign_new(request):
    area = current_area(request)
    form = _style(CampaignForm(request.POST or None, initial={"area_code": area.code if area else ""}))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error("area_code", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, "已创建行动，请添加指标和目标。")
            return redirect("ledgers:campaign_detail", campaign_id=campaign.pk)
    return render(request, "ledgers/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    can_edit = request.user.has_role_permission(Permission.EDIT)
    form = TargetForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您的角色无权修改行动")
        if form.is_valid():
            try:
                campaign_target_add(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已添加指标。")
                return redirect("ledgers:campaign_detail", campaign_id=campaign.pk)
    progress = [target_progress(t) for t in campaign.targets.select_related("area")]
    return render(
        request,
        "ledgers/campaign_detail.html",
        {"campaign": campaign, "progress": progress, "form": form, "can_edit": can_edit},
    )


@login_required
def campaign_export(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    progress = [target_progress(t) for t in campaign.targets.select_related("area")]
    return _xlsx(campaign_xlsx(campaign, progress), f"{campaign.name}进度.xlsx")


@require_POST
@requires(Permission.EDIT)
def target_remove(request, target_id: int):
    target = target_get(user=request.user, target_id=target_id)
    campaign_id = target.campaign_id
    try:
        campaign_target_remove(actor=request.user, target=target)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除该指标。")
    return redirect("ledgers:campaign_detail", campaign_id=campaign_id)

from django import forms
from django.utils import timezone

from fanpin.casework.choices import CaseKind, CaseStatus, Channel, DocumentKind, Level
from fanpin.registry.choices import RISK_TYPES, Category, EliminationMethod


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(w, forms.Select) else "form-control"
        w.attrs.setdefault("class", css)
        w.attrs.setdefault("aria-label", field.label)


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


RISK_CHOICES = [(r, r) for r in RISK_TYPES]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="户主姓名或户编号", required=False)
    area = forms.CharField(label="区划代码", required=False)
    kind = forms.ChoiceField(label="业务", required=False, choices=[("", "全部业务"), *CaseKind.choices])
    status = forms.ChoiceField(label="环节", required=False, choices=[("", "全部环节"), *CaseStatus.choices])
    level = forms.ChoiceField(label="办理层级", required=False, choices=[("", "全部层级"), *Level.choices])
    overdue = forms.ChoiceField(label="是否逾期", required=False, choices=[("", "全部"), ("1", "仅逾期")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        for field in self.fields.values():
            field.widget.attrs.setdefault("placeholder", field.label)


class CaseOpenForm(forms.Form):
    on = _date("发现线索（提出）日期")
    channel = forms.ChoiceField(
        label="线索来源",
        required=False,
        choices=[(c.value, c.label) for c in (Channel.CADRE, Channel.APPLICATION, Channel.LEAD)],
    )
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)
    summary = forms.CharField(
        label="线索或申请情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(
        label="拟定监测对象类别", required=False, choices=[("", "（核实后确定）"), *Category.choices]
    )
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险（最多 5 项）",
        required=False,
        choices=RISK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    elimination_method = forms.ChoiceField(
        label="风险消除方式", required=False, choices=[("", "请选择"), *EliminationMethod.choices]
    )
    per_capita_income = forms.DecimalField(
        label="核实的人均纯收入（元）", required=False, max_digits=14, decimal_places=2, min_value=0
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        if kind == CaseKind.IDENTIFICATION:
            del self.fields["elimination_method"], self.fields["per_capita_income"]
        else:
            for name in ("channel", "lead", "summary", "category", "risk_types"):
                del self.fields[name]
        _style(self)


class GreenForm(forms.Form):
    on = _date("纳入日期")
    summary = forms.CharField(label="紧急情况", widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label="监测对象类别", choices=Category.choices, initial=Category.SUDDEN)
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险（最多 5 项）", choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        _style(self)


class ActForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    on = _date("办理日期")
    reason = forms.CharField(
        label="意见、核实情况或理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    target = forms.ChoiceField(label="环节", required=False, choices=[("", "—"), *CaseStatus.choices])
    category = forms.ChoiceField(
        label="监测对象类别", required=False, choices=[("", "（不变）"), *Category.choices]
    )
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险（最多 5 项）",
        required=False,
        choices=RISK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    per_capita_income = forms.DecimalField(
        label="核实的人均纯收入（元）", required=False, max_digits=14, decimal_places=2, min_value=0
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        _style(self)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=DocumentKind.choices)
    file = forms.FileField(label="文件（PDF、图片或 Word，20 MB 以内）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ObjectionForm(forms.Form):
    received_on = _date("收到日期")
    raised_by = forms.CharField(label="异议人（可匿名）", required=False, max_length=50)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        _style(self)


class ObjectionHandleForm(forms.Form):
    on = _date("处理日期")
    handling = forms.CharField(label="核实处理情况", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        _style(self)

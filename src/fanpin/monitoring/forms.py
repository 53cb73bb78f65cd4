from datetime import date

from django import forms

from fanpin.monitoring.choices import DEFAULT_PARAMS, PARAM_LABELS, LeadSource, LeadStatus
from fanpin.registry.choices import RISK_TYPES, Category


def _last_month() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


class RunForm(forms.Form):
    area = forms.CharField(
        label="区划代码", max_length=12, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    month = forms.CharField(
        label="监测月份（YYYY-MM）", max_length=7, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = _last_month()

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        year, _, month = value.partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            raise forms.ValidationError("月份应写作 YYYY-MM，如 2026-10。")
        return int(year), int(month)


class LeadFilterForm(forms.Form):
    month = forms.CharField(label="月份 YYYY-MM", required=False)
    area = forms.CharField(label="区划代码", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *LeadStatus.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *LeadSource.choices])
    suggested_category = forms.ChoiceField(
        label="建议类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    risk = forms.ChoiceField(
        label="风险", required=False, choices=[("", "全部风险")] + [(r, r) for r in RISK_TYPES]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.update({"class": css, "placeholder": field.label, "aria-label": field.label})


class LeadHandleForm(forms.Form):
    status = forms.ChoiceField(
        label="核实结果",
        choices=[(LeadStatus.VERIFIED, "属实，转入识别纳入"), (LeadStatus.DISMISSED, "不属实，排除")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="核实情况", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class PolicyForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2020,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    threshold = forms.DecimalField(
        label="监测范围（元/人·年）",
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    effective_from = forms.DateField(
        label="生效日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    source = forms.CharField(
        label="依据（文件名称、文号）",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, value in DEFAULT_PARAMS.items():
            self.fields[f"param_{key}"] = forms.CharField(
                label=PARAM_LABELS[key],
                initial=str(value),
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def params(self) -> dict:
        return {k: self.cleaned_data[f"param_{k}"] for k in DEFAULT_PARAMS}

"""The audit page's filters (审计日志筛选)."""

from __future__ import annotations

from django import forms

from fanpin.core.selectors import AUDIT_KINDS


class AuditFilterForm(forms.Form):
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label="操作类别",
        required=False,
        choices=[("", "全部类别"), *((k, label) for k, (label, _q) in AUDIT_KINDS.items())],
    )
    action = forms.CharField(label="操作", required=False, max_length=80)
    actor = forms.CharField(label="操作人账号", required=False, max_length=150)
    object = forms.CharField(label="对象（户编号或名称）", required=False, max_length=64)
    area = forms.CharField(label="区划代码", required=False, max_length=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs.update({"class": css, "aria-label": field.label})
            if name not in ("start", "end", "kind"):
                field.widget.attrs["placeholder"] = field.label

    def clean_area(self):
        area = self.cleaned_data["area"].strip()
        if area and not area.isdigit():
            raise forms.ValidationError("区划代码应为数字，如 140321。")
        return area

    def clean(self):
        data = super().clean()
        for name in ("action", "actor", "object"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data

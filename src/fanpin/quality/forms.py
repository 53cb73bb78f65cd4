from django import forms

from fanpin.quality.choices import ExemptionStatus, RunSource


class RunForm(forms.Form):
    source = forms.ChoiceField(
        label="校验对象",
        choices=RunSource.choices,
        initial=RunSource.REGISTRY,
        widget=forms.RadioSelect,
    )
    area = forms.CharField(
        label="区划代码",
        max_length=12,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="校验该区划的农户档案；上传文件时，文件中的县、乡、村只在此区划内查找。",
    )
    file = forms.FileField(
        label="国家系统导出文件（.xlsx 或 .csv，只校验、不导入）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def clean(self):
        data = super().clean()
        f = data.get("file")
        if data.get("source") == RunSource.UPLOAD:
            if not f:
                self.add_error("file", "请选择要校验的文件。")
            elif not f.name.lower().endswith((".xlsx", ".csv")):
                self.add_error("file", "请上传 .xlsx 或 .csv 文件。")
            elif f.size > 500 * 1024 * 1024:
                self.add_error("file", "文件超过 500 MB，请分县导出后分别校验。")
        return data


class FindingFilterForm(forms.Form):
    village = forms.CharField(required=False, widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="级别",
        required=False,
        choices=[("", "全部"), ("error", "错误"), ("warning", "提示")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "级别"}),
    )
    code = forms.CharField(
        label="规则编号",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": "规则编号，如 ED01",
                "aria-label": "规则编号",
            }
        ),
    )


class ExemptionForm(forms.Form):
    reason = forms.CharField(
        label="豁免理由",
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text="写明经入户核实的实际情况，例如“该儿童因病在家，由学校送教上门”。",
    )


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ExemptionStatus.APPROVED, "批准"),
            (ExemptionStatus.REJECTED, "驳回"),
            (ExemptionStatus.REVOKED, "撤销"),
        ]
    )
    note = forms.CharField(label="审批意见", required=False, max_length=500)

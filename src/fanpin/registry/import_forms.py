from django import forms

from fanpin.registry.models.import_batch import ImportKind, MergeMode


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="文件类型",
        choices=ImportKind.choices,
        initial=ImportKind.NATIONAL,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="月度收入模板的列：户编号 或 证件号码、年月（YYYYMM）、工资性收入、生产经营性收入、财产性收入、"
        "转移性收入、生产经营性支出、理赔收入、合规自付支出。",
    )
    file = forms.FileField(
        label="文件（.xlsx 或 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )
    area = forms.CharField(
        label="导入范围（区划代码）",
        max_length=12,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="文件中的县、乡、村只在此区划内查找；县名在多个市重复时请选到县。",
    )
    year = forms.IntegerField(
        label="收入列所属年度",
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text="文件中的各项收入为该年度全年合计。不填则不导入收入。",
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("请上传 .xlsx 或 .csv 文件。")
        if f.size > 500 * 1024 * 1024:
            raise forms.ValidationError(
                "文件超过 500 MB，请分县导出后分别导入，或使用命令行 fanpin import national。"
            )
        return f


class MergeForm(forms.Form):
    mode = forms.ChoiceField(label="导入方式", choices=MergeMode.choices, widget=forms.RadioSelect)


class ExportForm(forms.Form):
    area = forms.CharField(
        label="区划代码", max_length=12, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    year = forms.IntegerField(
        label="收入所属年度（不填为最近 12 个月）",
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

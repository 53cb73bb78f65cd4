from django import forms

from fanpin.monitoring.departments.formats import FORMATS


class DepartmentUploadForm(forms.Form):
    source = forms.ChoiceField(
        label="来源",
        choices=[(k, f.label) for k, f in FORMATS.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = forms.CharField(
        label="数据月份（YYYY-MM）", max_length=7, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    area = forms.CharField(
        label="区划代码", max_length=12, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    file = forms.FileField(
        label="文件（.csv、.xlsx、.parquet）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.parquet"}),
    )

    def __init__(self, *args, **kwargs):
        from fanpin.monitoring.forms import _last_month

        super().__init__(*args, **kwargs)
        self.fields["month"].initial = _last_month()

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        year, _, month = value.partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            raise forms.ValidationError("月份应写作 YYYY-MM，如 2026-10。")
        return int(year), int(month)

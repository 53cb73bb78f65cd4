from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class DivisionUploadForm(forms.Form):
    files = MultipleFileField(
        label="行政区划 CSV 文件（可多选）",
        help_text="格式同国家统计局区划代码：code,name,上级代码列；UTF-8 或 GB18030。",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        for f in files:
            if not f.name.lower().endswith(".csv"):
                raise forms.ValidationError(f"“{f.name}”不是 CSV 文件。")
            if f.size > 200 * 1024 * 1024:
                raise forms.ValidationError(f"“{f.name}”超过 200 MB。")
        return files

"""Forms of the assistance pages. Choices (items, units, persons, members) are given by the view from
selectors, so a form never reaches outside the household's area."""

from __future__ import annotations

from datetime import date

from django import forms

from fanpin.assistance.choices import CATEGORY_NAMES, MeasureCategory


class BootstrapMixin:
    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def item_choices(items) -> list:
    """Grouped choices "category|item" for one select: optgroups per category (no script needed)."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.category, []).append((f"{item.category}|{item.name}", item.name))
    return [("", "请选择")] + [
        (f"{CATEGORY_NAMES[c]}（{c}）", groups[c]) for c in MeasureCategory.values if c in groups
    ]


class MeasureForm(BootstrapMixin, forms.Form):
    choice = forms.ChoiceField(label="帮扶措施（类别·项目）")
    detail = forms.CharField(label="措施内容（可选）", max_length=200, required=False)
    member = forms.TypedChoiceField(label="受益成员（可选）", required=False, coerce=int, empty_value=None)
    amount = forms.DecimalField(
        label="金额（元）", max_digits=12, decimal_places=2, required=False, min_value=0
    )
    start = forms.DateField(label="开始日期", widget=DateInput())
    end = forms.DateField(label="结束日期（可选）", required=False, widget=DateInput())
    unit = forms.TypedChoiceField(label="帮扶单位", coerce=int)
    persons = forms.TypedMultipleChoiceField(
        label="帮扶责任人（按住 Ctrl 或在手机上点选，可多选）",
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, items, units, persons, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = item_choices(items)
        self.fields["member"].choices = [("", "—")] + [
            (m.pk, f"{m.name}（{m.relation or '成员'}）") for m in members
        ]
        self.fields["unit"].choices = [("", "请选择")] + [(u.pk, u.name) for u in units]
        by_unit: dict[str, list] = {}
        for p in persons:
            by_unit.setdefault(p.unit.name, []).append(
                (p.pk, f"{p.name}{'（' + p.post + '）' if p.post else ''}")
            )
        self.fields["persons"].choices = list(by_unit.items())
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self._style()

    def clean(self):
        data = super().clean()
        choice = data.get("choice") or ""
        if "|" in choice:
            data["category"], data["item"] = choice.split("|", 1)
        return data


class MeasureEndForm(BootstrapMixin, forms.Form):
    end = forms.DateField(label="结束日期（措施最后一天）", widget=DateInput(), initial=date.today)
    reason = forms.CharField(label="结束原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class VisitForm(BootstrapMixin, forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DateInput(), initial=date.today)
    visitors = forms.CharField(label="走访人", max_length=100)
    persons = forms.TypedMultipleChoiceField(
        label="参与走访的帮扶责任人（可选）",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    findings = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(
        label="后续跟进（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [(p.pk, f"{p.name}（{p.unit.name}）") for p in persons]
        self._style()


class UnitForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="帮扶单位名称", max_length=100)
    area_code = forms.CharField(label="所属区划代码（县 6 位、乡 9 位、村 12 位）", max_length=12)
    kind = forms.CharField(label="单位类型（如：县直部门、乡镇、企业）", max_length=20, required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class PersonForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    post = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, editing: bool = False, masked_phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["phone"].label = "联系电话（留空表示不修改）"
            self.fields["phone"].widget.attrs["placeholder"] = masked_phone
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self._style()


class ItemForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label="帮扶措施类别", choices=MeasureCategory.choices)
    name = forms.CharField(label="帮扶项目名称", max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MonthForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
    area = forms.CharField(label="区划代码", max_length=12, required=False)

    def year_month(self) -> tuple[int, int]:
        value = (self.cleaned_data.get("month") if self.is_valid() else "") or date.today().strftime("%Y-%m")
        return int(value[:4]), int(value[5:])

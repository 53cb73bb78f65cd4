"""The one form of a ledger: it validates the page form, every import row and every API write."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.db import models
from django.forms import modelform_factory

from fanpin.core.masking import mask_id
from fanpin.core.scope import household_fields, restrict, user_covers
from fanpin.divisions.choices import Level
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Ledger
from fanpin.ledgers.policy import DEFAULTS, setting_value

SPECIAL = (AREA, HOUSEHOLD, MEMBER)


@dataclass
class RuleContext:
    """What a ledger rule may ask: the user, the entry being edited, and policy settings in force."""

    user: Any
    instance: Any
    on: date

    def setting(self, key: str, area_code: str = "14") -> Decimal:
        return setting_value(key, province_code=(area_code or "14")[:2], on=self.on)

    @staticmethod
    def setting_label(key: str) -> str:
        return DEFAULTS[key][0]


def field_hint(ledger: Ledger, name: str) -> str:
    """How to fill a column in, for the template's notes and for error messages."""
    column = ledger.column(name)
    if column.hint:
        return column.hint
    if name == AREA:
        levels = "、".join(Level(n).label for n in ledger.area_levels)
        return f"填写 2–12 位行政区划代码（可填：{levels}），须在您的管辖范围内"
    if name == HOUSEHOLD:
        return "填写农户档案中的户编号"
    if name == MEMBER:
        return "填写家庭成员的证件号码（18 位居民身份证号）"
    f = ledger.model._meta.get_field(name)
    if f.choices:
        return "可填：" + "、".join(str(v) for v, _ in f.choices)
    if isinstance(f, models.BooleanField):
        return "填“是”或“否”"
    if isinstance(f, models.DateField):
        return "填写日期，如 2022-06-30"
    if isinstance(f, models.DecimalField):
        return "填写数字，不带单位和千分位逗号"
    if isinstance(f, models.IntegerField):
        return "填写整数"
    return ""


class LedgerFormBase(forms.ModelForm):
    ledger: Ledger

    def __init__(self, data=None, *, user=None, instance=None, cache=None, **kwargs):
        self.user = user
        self.cache = cache if cache is not None else {}
        super().__init__(data, instance=instance, **kwargs)
        ledger = self.ledger
        names = {c.name for c in ledger.editable_columns}
        if AREA in names:
            self.fields[AREA] = forms.CharField(label=ledger.label(AREA), max_length=12, required=False)
        if HOUSEHOLD in names:
            self.fields[HOUSEHOLD] = forms.CharField(
                label=ledger.label(HOUSEHOLD), max_length=32, required=False
            )
        if MEMBER in names:
            self.fields[MEMBER] = forms.CharField(label=ledger.label(MEMBER), max_length=32, required=False)
        # Choices of related ledger entries (e.g. a worker's 帮扶车间) only from the user's area.
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and user is not None and any(f.name == "area" for f in qs.model._meta.fields):
                field.queryset = restrict(qs, user=user, field="area__code")
        # Keep the column order of the definition.
        self.order_fields([c.name for c in ledger.editable_columns])
        for column in ledger.editable_columns:
            field = self.fields[column.name]
            field.label = ledger.label(column)
            if column.required is not None:
                field.required = column.required
            widget = field.widget
            hint = field_hint(ledger, column.name)
            if hint and not field.help_text and not isinstance(widget, forms.CheckboxInput):
                field.help_text = hint
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.NullBooleanSelect):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
        if instance is not None and instance.pk:
            if AREA in names:
                self.initial[AREA] = instance.area_id
            if HOUSEHOLD in names and getattr(instance, "household_id", None):
                self.initial[HOUSEHOLD] = instance.household.code
            if MEMBER in names and getattr(instance, "member_id", None):
                self.initial[MEMBER] = mask_id(instance.member.id_number)

    def rebind(self, data) -> LedgerFormBase:
        """A form for another new row, sharing this form's prepared fields (an import validates
        thousands of rows; building each form from scratch deep-copies every field)."""
        clone = copy.copy(self)
        clone.data = data
        clone.is_bound = True
        clone._errors = None
        clone._bound_fields_cache = {}
        clone.instance = self._meta.model()
        clone.initial = {}
        clone.__dict__.pop("cleaned_data", None)
        return clone

    # ---- special columns -------------------------------------------------------------------
    def clean_area(self):
        code = (self.cleaned_data.get(AREA) or "").strip()
        if not code:
            return None
        from fanpin.divisions.models import Division

        key = ("division", code)
        if key not in self.cache:
            self.cache[key] = Division.objects.filter(code=code).first()
        division = self.cache[key]
        if division is None:
            raise forms.ValidationError(f"区划代码“{code}”不存在，请填写 2–12 位的行政区划代码。")
        if self.user is not None and not user_covers(self.user, code):
            raise forms.ValidationError(f"区划“{division.name}（{code}）”不在您的管辖范围内。")
        if division.level not in self.ledger.area_levels:
            allowed = "、".join(Level(n).label for n in self.ledger.area_levels)
            raise forms.ValidationError(
                f"本台账按{allowed}登记，“{division.name}”是{Level(division.level).label}，请填写{allowed}的区划代码。"
            )
        return division

    def clean_household(self):
        code = (self.cleaned_data.get(HOUSEHOLD) or "").strip()
        if not code:
            return None
        from fanpin.registry.models import Household

        qs = Household.objects.select_related("village")
        if self.user is not None:
            qs = restrict(qs, user=self.user, level_fields=household_fields())
        household = qs.filter(code=code).first()
        if household is None:
            raise forms.ValidationError(
                f"户编号“{code}”不在农户档案中（或不在您的管辖范围内），请先核对户编号。"
            )
        return household

    def clean_member(self):
        number = (self.cleaned_data.get(MEMBER) or "").strip().upper()
        if not number:
            return None
        current = (
            getattr(self.instance, "member", None) if getattr(self.instance, "member_id", None) else None
        )
        if "*" in number:
            if current is not None and mask_id(current.id_number) == number:
                return current  # unchanged (shown masked)
            raise forms.ValidationError(
                "证件号码已脱敏（含 *），无法识别本人：请填写完整的证件号码，或由有完整信息权限的账号导出后再导入。"
            )
        from fanpin.registry.models import Member

        qs = Member.objects.select_related("household", "household__village")
        if self.user is not None:
            qs = restrict(qs, user=self.user, level_fields=household_fields("household__"))
        from fanpin.core.fields import index_of

        member = qs.filter(
            id_number_index=index_of(Member, "id_number", number)
        ).first()  # encrypted: by blind index
        if member is None:
            raise forms.ValidationError(
                "该证件号码不在农户档案中（或不在您的管辖范围内），请先在农户档案中登记该成员。"
            )
        return member

    def clean(self):
        cleaned = super().clean()
        ledger = self.ledger
        for name, value in list(cleaned.items()):  # an optional column left empty takes the default
            if value in (None, "") and name not in SPECIAL:
                f = ledger.model._meta.get_field(name)
                if not f.null and f.has_default():
                    cleaned[name] = f.get_default()
        names = {c.name for c in ledger.editable_columns}
        household = cleaned.get(HOUSEHOLD) if HOUSEHOLD in names else None
        member = cleaned.get(MEMBER) if MEMBER in names else None
        if member is not None and household is not None and member.household_id != household.pk:
            self.add_error(
                MEMBER, f"证件号码对应的成员“{member.name}”不是户编号 {household.code} 的家庭成员。"
            )
        if member is not None and household is None and HOUSEHOLD in names:
            household = member.household
            cleaned[HOUSEHOLD] = household
        area = cleaned.get(AREA) if AREA in names else None
        person_home = household.village if household is not None else None
        if area is None and person_home is not None:
            area = person_home
            cleaned[AREA] = area
        elif area is not None and person_home is not None and not person_home.code.startswith(area.code):
            self.add_error(
                AREA, f"该户住在{person_home.name}（{person_home.code}），不在区划 {area.code} 内。"
            )
        if area is None and AREA not in self.errors:
            self.add_error(AREA, "请填写区划代码（或填写户编号/证件号码，由系统按户所在村确定）。")
        if not self.errors:
            self.instance.area = area
            if HOUSEHOLD in names:
                self.instance.household = household
            if MEMBER in names:
                self.instance.member = member
                if member is not None:
                    self.instance.person_name = member.name
        # The ledger's rules run even when some columns are wrong, so one check lists every problem of a
        # row (a rule skips what it cannot see: invalid columns are not in `cleaned`).
        ctx = RuleContext(user=self.user, instance=self.instance, on=date.today())
        values = {**cleaned, AREA: area}
        for rule in ledger.rules:
            for field, message in rule(values, ctx):
                self.add_error(field if field in self.fields else None, message)
        if ledger.natural_key and not self.errors:
            key = {}
            for name in ledger.natural_key:
                value = values.get(name)
                if value is None or value == "":
                    key = {}
                    break
                key[name] = value
            if key:
                clash = ledger.model.objects.filter(**key).exclude(pk=self.instance.pk).first()
                if clash is not None:
                    labels = "、".join(ledger.label(n) for n in ledger.natural_key)
                    self.add_error(
                        None, f"已有相同（{labels}）的记录（编号 {clash.pk}），请修改那一条，不要重复录入。"
                    )
        return cleaned

    def validate_unique(self):
        pass  # the natural key check above names the existing entry


@cache
def ledger_form(ledger: Ledger) -> type[LedgerFormBase]:
    model_fields = [c.name for c in ledger.editable_columns if c.name not in SPECIAL]
    base = type(f"{ledger.model.__name__}FormBase", (LedgerFormBase,), {"ledger": ledger})
    return modelform_factory(ledger.model, form=base, fields=model_fields)


def ledger_filter_form(ledger: Ledger, data):
    """The list page's filters: 区划, 关键词 and the ledger's choice/year fields."""
    fields: dict[str, forms.Field] = {
        "area": forms.CharField(label="区划代码", required=False),
    }
    if ledger.search:
        fields["q"] = forms.CharField(label="关键词", required=False)
    for name in ledger.filters:
        f = ledger.model._meta.get_field(name)
        if f.choices:
            fields[name] = forms.ChoiceField(
                label=str(f.verbose_name), required=False, choices=[("", f"全部{f.verbose_name}"), *f.choices]
            )
        elif isinstance(f, models.BooleanField):
            fields[name] = forms.ChoiceField(
                label=str(f.verbose_name),
                required=False,
                choices=[("", f"{f.verbose_name}：全部"), ("1", "是"), ("0", "否")],
            )
        else:
            fields[name] = forms.IntegerField(label=str(f.verbose_name), required=False)
    if ledger.metrics and "year" not in fields:
        fields["year"] = forms.IntegerField(label="统计年度", required=False, min_value=2000, max_value=2100)
    form_class = type("LedgerFilterForm", (forms.Form,), fields)
    form = form_class(data or None)
    for field in form.fields.values():
        cls = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.update({"class": cls, "placeholder": field.label, "aria-label": field.label})
    return form

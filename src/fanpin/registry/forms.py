from django import forms

from fanpin.core.health import HEALTH_FIELDS, can_view_health
from fanpin.core.masking import mask_account
from fanpin.registry.choices import RISK_TYPES, Category, HouseholdType
from fanpin.registry.models import Household, Member
from fanpin.registry.selectors import FLAGS

HOUSEHOLD_FORM_FIELDS = [
    "household_type",
    "address",
    "phone",
    "whole_no_labour",
    "relocated",
    "category",
    "identified_month",
    "house_area",
    "house_grade",
    "water_quantity_ok",
    "water_quality_ok",
    "water_convenience_ok",
    "water_reliability_ok",
    "dropout",
    "cultivated_area",
    "forest_area",
    "road_distance",
    "road_hardened",
    "sanitary_toilet",
]


class BootstrapMixin:
    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.NullBooleanSelect):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class HouseholdForm(BootstrapMixin, forms.ModelForm):
    village_code = forms.CharField(label="村（12 位区划代码）", max_length=12)

    class Meta:
        model = Household
        fields = ["code", *HOUSEHOLD_FORM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["village_code"].initial = self.instance.village_id
        self.fields["identified_month"].widget.attrs["placeholder"] = "YYYYMM"
        # Monitoring status changes only through casework (识别纳入 / 风险消除), with its steps and approvals,
        # or by importing the national system's file: shown here, not edited.
        for name in ("category", "identified_month"):
            self.fields[name].disabled = True
            self.fields[name].help_text = "由“识别与消除”业务审批后写入，不能在此修改。"
        self._style()

    def clean_identified_month(self):
        value = self.cleaned_data.get("identified_month", "").strip()
        if value and (len(value) != 6 or not value.isdigit() or not 1 <= int(value[4:]) <= 12):
            raise forms.ValidationError("识别监测时间应为 6 位年月，如 202106。")
        return value

    def validate_unique(self):
        pass  # the service reports a duplicate 户编号 with the existing household's name


class MemberForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "id_type",
            "id_number",
            "sex",
            "birth_date",
            "relation",
            "ethnicity",
            "education",
            "school_status",
            "not_in_school_reason",
            "health",
            "disability_grade",
            "labour_skill",
            "work_place",
            "work_months",
            "welfare_job",
            "resident_medical",
            "employee_medical",
            "critical_illness",
            "resident_pension",
            "employee_pension",
            "dibao",
            "tekun",
            "phone",
            "bank_account",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The subsidy account is shown masked here too; left as shown, it is kept as it is.
        self._account = self.instance.bank_account if self.instance.pk else ""
        if self._account and not self.is_bound:
            self.initial["bank_account"] = mask_account(self._account)
        self.fields[
            "bank_account"
        ].help_text = "惠农补贴“一卡通”账号（只填数字）；显示为脱敏号码，不修改则保持原账号"
        if user is not None and not can_view_health(user):
            for name in HEALTH_FIELDS:  # not shown, not changed: the role may not see health data
                self.fields.pop(name, None)
        self.fields["sex"].required = False
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = "居民身份证的出生日期和性别由号码自动得出"
        self._style()

    def clean_bank_account(self):
        value = "".join((self.cleaned_data.get("bank_account") or "").split())
        if self._account and value == mask_account(self._account):
            return self._account
        if value and not (value.isdigit() and 12 <= len(value) <= 30):
            raise forms.ValidationError("一卡通账号应为 12–30 位数字。")
        return value

    def validate_unique(self):
        pass  # the service names the household a duplicate ID already belongs to


class HouseholdFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="户编号、户主或身份证号", required=False)
    area = forms.CharField(label="区划代码", required=False)
    household_type = forms.ChoiceField(
        label="户类型", required=False, choices=[("", "全部户类型"), *HouseholdType.choices]
    )
    category = forms.ChoiceField(
        label="监测类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    risk = forms.ChoiceField(
        label="风险类型", required=False, choices=[("", "全部风险")] + [(r, r) for r in RISK_TYPES]
    )
    income_min = forms.DecimalField(label="人均纯收入不低于", required=False, min_value=0)
    income_max = forms.DecimalField(label="人均纯收入不高于", required=False, min_value=0)
    flag = forms.ChoiceField(
        label="标识", required=False, choices=[("", "全部")] + [(k, v[0]) for k, v in FLAGS.items()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        for field in self.fields.values():  # labels are not shown in the compact filter bar
            field.widget.attrs.setdefault("placeholder", field.label)
            field.widget.attrs.setdefault("aria-label", field.label)

from __future__ import annotations

from django.db import models

from fanpin.core.fields import BlindIndexField, EncryptedCharField, MaskedField, index_of
from fanpin.registry.choices import Health, IdType, LabourSkill, Sex


class MemberQuerySet(models.QuerySet):
    def with_id_number(self, number: str) -> MemberQuerySet:
        """Members with this ID number, found by its blind index (the number itself is encrypted)."""
        return self.filter(id_number_index=index_of(Member, "id_number", number))

    def with_id_numbers(self, numbers) -> MemberQuerySet:
        return self.filter(id_number_index__in=[index_of(Member, "id_number", n) for n in numbers])


class Member(models.Model):
    """家庭成员. A person (by ID number) belongs to one household only."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.RESIDENT)
    # Encrypted at rest (core/fields.py, docs/security.md); uniqueness and lookups by the blind index;
    # the masked copy serves lists, quality rules and region filters without decrypting.
    id_number = EncryptedCharField("证件号码", plain_max_length=32, kind="id")
    id_number_index = BlindIndexField("证件号码盲索引", source="id_number", kind="id", unique=True)
    id_number_masked = MaskedField("证件号码（脱敏）", source="id_number", kind="id", max_length=32)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    relation = models.CharField("与户主关系", max_length=20, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    education = models.CharField("文化程度", max_length=20, blank=True)
    school_status = models.CharField("在校生状况", max_length=20, blank=True)
    not_in_school_reason = models.CharField("义务教育阶段未上学原因", max_length=50, blank=True)
    health = models.CharField("健康状况", max_length=10, choices=Health.choices, default=Health.HEALTHY)
    disability_grade = models.CharField("残疾等级", max_length=10, blank=True)
    labour_skill = models.CharField("劳动技能", max_length=20, choices=LabourSkill.choices, blank=True)
    work_place = models.CharField("务工所在地", max_length=50, blank=True)
    work_months = models.PositiveSmallIntegerField("务工时间（月）", null=True, blank=True)
    welfare_job = models.CharField("公益性岗位", max_length=50, blank=True)
    resident_medical = models.BooleanField("参加城乡居民基本医疗保险", default=False)
    employee_medical = models.BooleanField("参加职工基本医疗保险", default=False)
    critical_illness = models.BooleanField("参加大病保险", default=False)
    resident_pension = models.BooleanField("参加城乡居民基本养老保险", default=False)
    employee_pension = models.BooleanField("参加城镇职工基本养老保险", default=False)
    dibao = models.CharField("享受低保政策情况", max_length=20, blank=True)
    tekun = models.CharField("享受特困供养政策情况", max_length=20, blank=True)
    phone = EncryptedCharField("家庭成员联系电话", plain_max_length=40, kind="phone", blank=True)
    bank_account = EncryptedCharField(
        "惠农“一卡通”账号", plain_max_length=40, kind="account", blank=True, help_text="补贴资金发放账号"
    )
    extra = models.JSONField("其他列", default=dict, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_head(self) -> bool:
        return self.relation == "户主"

    @property
    def medically_insured(self) -> bool:
        return self.resident_medical or self.employee_medical

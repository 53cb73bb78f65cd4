from django.conf import settings
from django.db import models

from fanpin.quality.choices import Level, RunSource, RunStatus


class QualityRun(models.Model):
    """数据质量校验: all rules run once over the registry of an area or over an uploaded file."""

    source = models.CharField("数据来源", max_length=10, choices=RunSource.choices)
    area_code = models.CharField("区划", max_length=12, db_index=True)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    file_path = models.CharField("文件位置", max_length=500, blank=True)
    as_of = models.DateField("检查日期", help_text="年龄、识别后月数按此日期计算")
    engine = models.CharField("计算引擎", max_length=10, default="duckdb")
    policy = models.ForeignKey(
        "monitoring.PolicySetting", verbose_name="政策设置", on_delete=models.PROTECT, null=True
    )
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    counts = models.JSONField("统计", default=dict, blank=True)
    score = models.DecimalField("质量得分", max_digits=5, decimal_places=1, null=True, blank=True)
    message = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据质量校验"
        verbose_name_plural = "数据质量校验"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        what = self.file_name or self.area_code
        return f"数据质量校验 {what}（{self.get_status_display()}）"


class Finding(models.Model):
    """校验发现: one rule that fired for one household (or one member of it)."""

    run = models.ForeignKey(
        QualityRun, verbose_name="校验", on_delete=models.CASCADE, related_name="findings"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quality_findings",
    )
    household_code = models.CharField("户编号", max_length=32, db_index=True)
    village_code = models.CharField("村代码", max_length=12, blank=True, db_index=True)
    township_code = models.CharField("乡镇代码", max_length=9, blank=True)
    place = models.CharField("县乡村（文件中）", max_length=100, blank=True)
    code = models.CharField("规则编号", max_length=8)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    message = models.CharField("说明", max_length=500)
    fields = models.JSONField("涉及字段", default=list)
    row = models.PositiveIntegerField("行号", null=True, blank=True)
    member_name = models.CharField("成员", max_length=50, blank=True)
    member_id = models.BigIntegerField("成员编号", null=True, blank=True)
    value = models.CharField("内容", max_length=200, blank=True)
    exempted = models.BooleanField("已豁免", default=False)

    class Meta:
        verbose_name = "校验发现"
        verbose_name_plural = "校验发现"
        ordering = ["run_id", "village_code", "household_code", "code", "row", "id"]
        indexes = [
            models.Index(fields=["run", "village_code", "household_code"]),
            models.Index(fields=["run", "level"]),
        ]

    def __str__(self) -> str:
        return f"{self.household_code} {self.code}"


class AreaScore(models.Model):
    """质量得分 of one village or township in one run."""

    run = models.ForeignKey(QualityRun, verbose_name="校验", on_delete=models.CASCADE, related_name="scores")
    code = models.CharField("区划代码", max_length=12)
    level = models.PositiveSmallIntegerField("层级", help_text="4 = 乡镇，5 = 村")
    name = models.CharField("名称", max_length=100, blank=True)
    households = models.PositiveIntegerField("户数", default=0)
    error_households = models.PositiveIntegerField("有错误的户", default=0)
    warning_households = models.PositiveIntegerField("仅有提示的户", default=0)
    errors = models.PositiveIntegerField("错误数", default=0)
    warnings = models.PositiveIntegerField("提示数", default=0)
    exempted = models.PositiveIntegerField("已豁免", default=0)
    score = models.DecimalField("质量得分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "质量得分"
        verbose_name_plural = "质量得分"
        ordering = ["run_id", "level", "code"]
        constraints = [models.UniqueConstraint(fields=["run", "code"], name="quality_score_unique_area")]

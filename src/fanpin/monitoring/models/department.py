from django.conf import settings
from django.db import models
from django.db.models import Q

from fanpin.monitoring.choices import LeadSource


class DepartmentBatchStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    LOADING = "loading", "读取中"
    LOADED = "loaded", "已读取"
    MATCHING = "matching", "匹配中"
    MATCHED = "matched", "已生成线索"
    FAILED = "failed", "失败"


class DepartmentBatch(models.Model):
    """部门数据批次: one department file for an area and month. The same file (same SHA-256) is loaded
    once; a failed load may be tried again."""

    source = models.CharField("来源", max_length=20, choices=LeadSource.choices)
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("存放位置", max_length=500, blank=True)
    sha256 = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    area_code = models.CharField("区划", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    status = models.CharField(
        "状态", max_length=10, choices=DepartmentBatchStatus.choices, default=DepartmentBatchStatus.QUEUED
    )
    counts = models.JSONField("统计", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    matched_at = models.DateTimeField("生成线索时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门数据批次"
        verbose_name_plural = "部门数据批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=~Q(status="failed"), name="department_batch_unique_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.file_name}（{self.year}-{self.month:02d}）"


class DepartmentRecord(models.Model):
    """A person of a department batch not found in the registry (a possible new household): one row per
    person, from the first row they appear in (fields["rows"]: how many rows). The batch's valid rows
    themselves are kept as Parquet (fanpin.monitoring.departments.match.records_path), not here."""

    batch = models.ForeignKey(
        DepartmentBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="records"
    )
    row = models.PositiveIntegerField("行号")
    # Field-encrypted (fanpin.monitoring.departments.identity.seal); never the plain number.
    id_number = models.CharField("证件号码（加密）", max_length=200)
    name = models.CharField("姓名", max_length=50)
    fields = models.JSONField("其他列", default=dict, blank=True)
    # The source's columns the rules read (fanpin.monitoring.departments.formats: Column.engine).
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    month = models.PositiveSmallIntegerField("月份", null=True, blank=True)
    amount = models.BigIntegerField("金额（分）", null=True, blank=True)
    total_cost = models.BigIntegerField("总费用（分）", null=True, blank=True)
    category = models.CharField("类型/等级", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, blank=True)
    member = models.ForeignKey(
        "registry.Member", verbose_name="匹配成员", null=True, blank=True, on_delete=models.SET_NULL
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="匹配户", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "部门数据记录"
        verbose_name_plural = "部门数据记录"
        ordering = ["batch_id", "row"]
        indexes = [models.Index(fields=["batch", "household"])]


class DepartmentIssue(models.Model):
    """A row of a department file that was not kept: malformed ID, impossible amount, unknown value."""

    batch = models.ForeignKey(
        DepartmentBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="issues"
    )
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=100, blank=True)
    value = models.CharField("内容", max_length=200, blank=True)
    message = models.CharField("说明", max_length=500)

    class Meta:
        verbose_name = "部门数据问题"
        verbose_name_plural = "部门数据问题"
        ordering = ["batch_id", "row", "id"]

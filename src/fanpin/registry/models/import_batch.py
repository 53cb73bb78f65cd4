from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    PARSING = "parsing", "解析中"
    REVIEW = "review", "待确认"
    MERGING = "merging", "写入中"
    MERGED = "merged", "已导入"
    REFUSED = "refused", "已拒绝"
    CANCELLED = "cancelled", "已取消"


class ImportKind(models.TextChoices):
    NATIONAL = "national", "《（自定义）监测对象信息》"
    INCOMES = "incomes", "月度收入"


class MergeMode(models.TextChoices):
    ALL = "all", "全部导入（有任何错误则不导入）"
    VALID = "valid", "只导入无错误的户"


class ImportBatch(models.Model):
    """导入批次: a staged import — upload → parse (job) → review errors → merge in one transaction."""

    kind = models.CharField("类型", max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        "状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("文件位置", max_length=500)
    area_code = models.CharField("导入范围（区划代码）", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("收入所属年度", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    parsed_at = models.DateTimeField("解析完成", null=True, blank=True)
    merged_at = models.DateTimeField("导入时间", null=True, blank=True)
    merge_mode = models.CharField("导入方式", max_length=10, choices=MergeMode.choices, blank=True)
    counts = models.JSONField("统计", default=dict, blank=True)
    unknown_columns = models.JSONField("未识别的列", default=list, blank=True)
    changes = models.JSONField("变更摘要", default=dict, blank=True)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}（{self.get_status_display()}）"

    @property
    def error_count(self) -> int:
        return int(self.counts.get("errors", 0))

    @property
    def staging_path(self):
        from pathlib import Path

        return Path(self.file_path).with_suffix(".staged.bin")


class ImportIssue(models.Model):
    """One error or warning of an import, by row and column."""

    class Level(models.TextChoices):
        ERROR = "error", "错误"
        WARNING = "warning", "提示"

    batch = models.ForeignKey(
        ImportBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="issues"
    )
    level = models.CharField("级别", max_length=10, choices=Level.choices, default=Level.ERROR)
    row = models.PositiveIntegerField("行号", null=True, blank=True)
    column = models.CharField("列", max_length=100, blank=True)
    value = models.CharField("内容", max_length=200, blank=True)
    message = models.CharField("说明", max_length=500)
    household_code = models.CharField("户编号", max_length=32, blank=True)

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["batch_id", "row", "id"]
        indexes = [models.Index(fields=["batch", "level", "row"])]

from django.conf import settings
from django.db import models


class LedgerImportStatus(models.TextChoices):
    PARSING = "parsing", "检查中"
    REVIEW = "review", "待确认"
    COMMITTING = "committing", "写入中"
    COMMITTED = "committed", "已导入"
    CANCELLED = "cancelled", "已取消"


class LedgerImport(models.Model):
    """台账导入批次: upload → parse (errors by row and column) → review → commit in one transaction."""

    ledger = models.CharField("台账", max_length=40, db_index=True)
    status = models.CharField(
        "状态", max_length=20, choices=LedgerImportStatus.choices, default=LedgerImportStatus.PARSING
    )
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("文件位置", max_length=500)
    area_code = models.CharField("导入人所辖区划", max_length=12, db_index=True)
    counts = models.JSONField("统计", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name="当前任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "台账导入批次"
        verbose_name_plural = "台账导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def error_count(self) -> int:
        return int(self.counts.get("errors", 0))


class LedgerImportIssue(models.Model):
    """One error of a ledger import: row, column, the value found and what to do."""

    batch = models.ForeignKey(LedgerImport, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField("行号", null=True, blank=True)
    column = models.CharField("列", max_length=100, blank=True)
    value = models.CharField("内容", max_length=200, blank=True)
    message = models.CharField("说明", max_length=500)

    class Meta:
        verbose_name = "台账导入错误"
        verbose_name_plural = "台账导入错误"
        ordering = ["batch_id", "row", "id"]

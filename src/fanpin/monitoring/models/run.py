from django.conf import settings
from django.db import models

from fanpin.monitoring.choices import RunStatus


class MonitoringRun(models.Model):
    """月度监测: the rules run for an area and month."""

    area_code = models.CharField("区划", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    engine = models.CharField("计算引擎", max_length=10, default="duckdb")
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    policy = models.ForeignKey("monitoring.PolicySetting", verbose_name="政策设置", on_delete=models.PROTECT)
    counts = models.JSONField("统计", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "月度监测"
        verbose_name_plural = "月度监测"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area_code} {self.year}-{self.month:02d}（{self.get_status_display()}）"

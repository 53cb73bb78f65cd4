from django.conf import settings
from django.db import models


class PolicySetting(models.Model):
    """监测政策设置 for a (province, year): the monitoring threshold and every rule parameter.

    Versioned: a change is a new version with its own effective date; the one in force on a day is the
    newest version whose effective date has come."""

    province_code = models.CharField("省代码", max_length=2)
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本", default=1)
    effective_from = models.DateField("生效日期")
    threshold = models.DecimalField("监测范围（元/人·年）", max_digits=10, decimal_places=2)
    params = models.JSONField("规则参数", default=dict)
    source = models.CharField("依据", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测政策设置"
        verbose_name_plural = "监测政策设置"
        ordering = ["province_code", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year", "version"], name="policy_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.province_code} {self.year} 年 第 {self.version} 版：{self.threshold} 元"

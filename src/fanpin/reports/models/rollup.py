from django.db import models

from fanpin.divisions.choices import Level


class Rollup(models.Model):
    """指标汇总: one indicator's value for one division node and month, computed by the rollup job
    (after each monthly monitoring run, or `fanpin reports rollup`). Pages, exports and the API read
    these rows only, so the same figure is the same number everywhere."""

    area_code = models.CharField("区划代码", max_length=12)
    parent_code = models.CharField("上级区划代码", max_length=12, blank=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    indicator = models.CharField("指标", max_length=40)
    value = models.DecimalField("数值", max_digits=18, decimal_places=2)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "指标汇总"
        verbose_name_plural = "指标汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "year", "month", "indicator"], name="rollup_unique_area_month"
            )
        ]
        indexes = [
            models.Index(fields=["parent_code", "year", "month"]),
            models.Index(fields=["level", "year", "month", "indicator"]),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.year}-{self.month:02d} {self.indicator}={self.value}"

from django.conf import settings
from django.db import models

from fanpin.monitoring.choices import LeadSource, LeadStatus


class Lead(models.Model):
    """预警线索: a household a rule or a department's data points at, for the village to verify.
    Never an automatic enrolment."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.CASCADE, related_name="leads"
    )
    run = models.ForeignKey(
        "monitoring.MonitoringRun", verbose_name="监测批次", null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.CharField(
        "来源", max_length=20, choices=LeadSource.choices, default=LeadSource.MONITORING
    )
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    suggested_category = models.CharField("建议监测类别", max_length=20)
    risk_types = models.CharField("风险类型", max_length=200, blank=True)
    reason = models.TextField("预警原因")
    figures = models.JSONField("依据数据", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=LeadStatus.choices, default=LeadStatus.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True, on_delete=models.SET_NULL
    )
    handled_at = models.DateTimeField("核实时间", null=True, blank=True)
    handling_note = models.TextField("核实情况", blank=True)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警线索"
        verbose_name_plural = "预警线索"
        ordering = ["-year", "-month", "household_id"]
        indexes = [models.Index(fields=["year", "month", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "month", "source"], name="lead_unique_month_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}-{self.month:02d} {self.suggested_category}"

    @property
    def risk_list(self) -> list[str]:
        return [r for r in self.risk_types.split("|") if r]

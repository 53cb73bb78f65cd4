from django.db import models


class HouseholdSnapshot(models.Model):
    """月末快照: a household's indicators frozen at a month's end, for trends."""

    household = models.ForeignKey("registry.Household", verbose_name="户", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    county_code = models.CharField("县代码", max_length=6, db_index=True)
    net_income = models.DecimalField("家庭纯收入（元）", max_digits=14, decimal_places=2, null=True)
    per_capita_income = models.DecimalField("人均纯收入（元）", max_digits=14, decimal_places=2, null=True)
    out_of_pocket = models.DecimalField("合规自付支出（元）", max_digits=14, decimal_places=2, default=0)
    months_covered = models.PositiveSmallIntegerField("有收入记录的月数", default=0)
    below_threshold = models.BooleanField("低于监测范围", default=False)
    monitored = models.BooleanField("监测对象（风险未消除）", default=False)
    triggers = models.CharField("触发的规则", max_length=200, blank=True)

    class Meta:
        verbose_name = "月末快照"
        verbose_name_plural = "月末快照"
        constraints = [
            models.UniqueConstraint(fields=["household", "year", "month"], name="snapshot_unique_month")
        ]
        indexes = [models.Index(fields=["county_code", "year", "month"])]

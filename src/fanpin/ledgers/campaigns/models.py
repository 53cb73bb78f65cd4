from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Campaign(models.Model):
    """攻坚行动 (e.g. 百日攻坚): targets per indicator, area and period, measured from the ledgers."""

    name = models.CharField("行动名称", max_length=100)
    area = models.ForeignKey(
        "divisions.Division", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "攻坚行动"
        verbose_name_plural = "攻坚行动"
        ordering = ["-start_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(models.Model):
    """One indicator of a campaign: its period, its target (optional) and whether it is compared with the
    same period of last year. `decimals` is the precision the percentages are reported at."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField("指标", max_length=60)
    label = models.CharField("目标名称", max_length=60, blank=True, help_text="如“攻坚目标”“全年任务”")
    area = models.ForeignKey(
        "divisions.Division", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField("期间开始")
    end_on = models.DateField("期间结束")
    target = models.DecimalField(
        "目标值",
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="比率指标填百分数（如 100 表示 100%）；不设目标可留空",
    )
    compare_last_year = models.BooleanField("与上年同期比较", default=False)
    decimals = models.PositiveSmallIntegerField(
        "百分比保留小数位", default=2, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "行动指标"
        verbose_name_plural = "行动指标"
        ordering = ["campaign_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.indicator}"

    @property
    def target_decimal(self) -> Decimal | None:
        return self.target

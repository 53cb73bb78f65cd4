from django.conf import settings
from django.db import models


class LedgerSetting(models.Model):
    """台账政策设置: a limit of a ledger rule (loan ceiling, age limits …) for a province, from a date.

    The value in force on a day is the newest one whose effective date has come; without any row the
    national default of `fanpin.ledgers.policy.DEFAULTS` applies."""

    province_code = models.CharField("省代码", max_length=2)
    key = models.CharField("设置项", max_length=60)
    value = models.DecimalField("取值", max_digits=14, decimal_places=4)
    effective_from = models.DateField("生效日期")
    source = models.CharField("依据", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "台账政策设置"
        verbose_name_plural = "台账政策设置"
        ordering = ["province_code", "key", "-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.province_code} {self.key} = {self.value}（{self.effective_from} 起）"

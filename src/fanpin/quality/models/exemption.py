from django.conf import settings
from django.db import models

from fanpin.quality.choices import ExemptionStatus


class Exemption(models.Model):
    """豁免: a finding that is right in the data (a real exception), with a reason and an approver
    (township or county). Approved, it no longer counts in the score of this household for this rule."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.CASCADE, related_name="quality_exemptions"
    )
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    code = models.CharField("规则编号", max_length=8)
    reason = models.CharField("豁免理由", max_length=500)
    status = models.CharField(
        "状态", max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "校验豁免"
        verbose_name_plural = "校验豁免"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.code}（{self.get_status_display()}）"

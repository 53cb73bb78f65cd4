from django.conf import settings
from django.db import models


class Visit(models.Model):
    """入户走访: who visited a household, when, what they found and what follows."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField("走访日期", db_index=True)
    visitors = models.CharField("走访人", max_length=100)
    persons = models.ManyToManyField(
        "assistance.ResponsiblePerson", verbose_name="参与走访的帮扶责任人", blank=True, related_name="visits"
    )
    findings = models.TextField("走访情况")
    follow_up = models.TextField("后续跟进", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} 走访 {self.household_id}"

from django.db import models

from fanpin.assistance.choices import CATEGORY_NAMES, MeasureCategory


class Measure(models.Model):
    """帮扶措施: one measure of a household's plan (一户一策). In place on a date d when
    start ≤ d and (end is empty or end ≥ d)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="measures"
    )
    category = models.CharField("帮扶措施类别", max_length=6, choices=MeasureCategory.choices, db_index=True)
    item = models.CharField("帮扶项目", max_length=50)
    detail = models.CharField("措施内容", max_length=200, blank=True)
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="受益成员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    unit = models.ForeignKey(
        "assistance.ResponsibleUnit",
        verbose_name="帮扶单位",
        on_delete=models.PROTECT,
        related_name="measures",
    )
    persons = models.ManyToManyField(
        "assistance.ResponsiblePerson", verbose_name="帮扶责任人", related_name="measures"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["household_id", "start", "id"]
        indexes = [models.Index(fields=["household", "start"])]

    def __str__(self) -> str:
        return f"{self.category_name}·{self.item}"

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)

    def in_place(self, on) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)

from decimal import Decimal

from django.db import models

COMPONENTS = ["wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket"]


def _money(verbose):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=Decimal("0"))


class IncomeRecord(models.Model):
    """收入: a household's income for one month (months=1) or one year (months=12, month = 1)."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name="户",
        on_delete=models.CASCADE,
        related_name="incomes",
        db_index=False,  # income_unique_period (household, year, month, months) serves the lookups
    )
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月", help_text="年度记录为 1")
    months = models.PositiveSmallIntegerField("覆盖月数", default=1, help_text="1 = 月度记录，12 = 年度记录")
    wage = _money("工资性收入")
    business = _money("生产经营性收入")
    property_income = _money("财产性收入")
    transfer = _money("转移性收入")
    business_cost = _money("生产经营性支出")
    claims = _money("理赔收入")
    out_of_pocket = _money("合规自付支出")

    class Meta:
        verbose_name = "收入记录"
        verbose_name_plural = "收入记录"
        ordering = ["household_id", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "month", "months"], name="income_unique_period"
            ),
            models.CheckConstraint(condition=models.Q(months__in=[1, 12]), name="income_months_1_or_12"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}-{self.month:02d}（{self.months} 个月）"

    @property
    def net(self) -> Decimal:
        """家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出."""
        return self.wage + self.business + self.property_income + self.transfer - self.business_cost

    @property
    def month_index(self) -> int:
        return self.year * 12 + self.month - 1

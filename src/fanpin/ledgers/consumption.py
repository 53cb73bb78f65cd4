"""消费帮扶: agricultural product sales by channel and amount."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from fanpin.ledgers.framework.base import LedgerEntry
from fanpin.ledgers.framework.definition import AREA, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import in_area, total


class SalesChannel(models.TextChoices):
    SUBSCRIPTION = "认购销售", "认购销售（单位采购、以购代捐）"
    ORDER = "订单销售", "订单销售"
    FAIR = "展销会", "展销会、农民丰收节等"
    ONLINE = "电商平台", "电商平台"
    OTHER = "其他", "其他"


class Sale(LedgerEntry):
    sold_on = models.DateField("销售日期（截至）")
    channel = models.CharField("销售渠道", max_length=10, choices=SalesChannel.choices)
    products = models.CharField("产品", max_length=200)
    buyer = models.CharField("采购单位或平台", max_length=100, blank=True)
    amount = models.DecimalField(
        "销售金额（元）", max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        verbose_name = "消费帮扶"
        verbose_name_plural = "消费帮扶"

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.amount} 元"


def _sales(area, start, end, channel=None):
    qs = in_area(Sale.objects.filter(sold_on__gte=start, sold_on__lte=end), area)
    return qs.filter(channel=channel) if channel else qs


CONSUMPTION = register(
    Ledger(
        slug="consumption",
        title="消费帮扶",
        model=Sale,
        description="按渠道登记脱贫地区农副产品销售额；可逐笔登记，也可按月汇总登记（一行一个渠道）。",
        columns=[
            Column(AREA),
            Column("sold_on"),
            Column("channel"),
            Column("products"),
            Column("buyer", in_list=False),
            Column("amount"),
        ],
        filters=("channel",),
        search=("products", "buyer"),
        order=("-sold_on", "-id"),
        metrics=(
            Metric(
                "consumption_sales",
                "消费帮扶销售额",
                "元",
                "flow",
                lambda a, s, e: total(_sales(a, s, e), "amount"),
            ),
            *(
                Metric(
                    f"consumption_{key}",
                    f"消费帮扶销售额（{label}）",
                    "元",
                    "flow",
                    lambda a, s, e, ch=channel: total(_sales(a, s, e, ch), "amount"),
                )
                for key, channel, label in (
                    ("subscription", SalesChannel.SUBSCRIPTION, "认购"),
                    ("order", SalesChannel.ORDER, "订单"),
                    ("fair", SalesChannel.FAIR, "展销"),
                )
            ),
        ),
    )
)

"""扶贫项目资产: class, value, ownership (确权), maintenance (管护), income distributed, disposal."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from fanpin.ledgers.framework.base import LedgerEntry
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import in_area, total


class AssetClass(models.TextChoices):
    OPERATING = "经营性", "经营性"
    PUBLIC = "公益性", "公益性"
    HOUSEHOLD = "到户类", "到户类"


class OwnerType(models.TextChoices):
    VILLAGE = "村集体", "村集体"
    HOUSEHOLD = "农户", "农户"
    OTHER = "其他", "其他"


class Disposal(models.TextChoices):
    NONE = "未处置", "未处置"
    SCRAPPED = "报废", "报废"
    SOLD = "拍卖转让", "拍卖转让"
    OTHER = "其他", "其他"


class Asset(LedgerEntry):
    name = models.CharField("资产名称", max_length=200)
    asset_class = models.CharField("资产类别", max_length=10, choices=AssetClass.choices)
    project_year = models.PositiveSmallIntegerField("形成年度")
    value = models.DecimalField(
        "资产价值（元）", max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    owner_type = models.CharField("确权对象", max_length=10, choices=OwnerType.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="确权农户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_on = models.DateField("确权日期", null=True, blank=True)
    keeper_unit = models.CharField("管护责任单位", max_length=100)
    keeper = models.CharField("管护责任人", max_length=50, blank=True)
    maintenance = models.CharField("管护记录", max_length=300, blank=True)
    maintained_on = models.DateField("最近管护日期", null=True, blank=True)
    income = models.DecimalField("本年收益（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    distributed = models.DecimalField(
        "本年收益分配（元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    disposal = models.CharField("处置情况", max_length=10, choices=Disposal.choices, default=Disposal.NONE)
    disposed_on = models.DateField("处置日期", null=True, blank=True)

    class Meta:
        verbose_name = "扶贫项目资产"
        verbose_name_plural = "扶贫项目资产"

    def __str__(self) -> str:
        return self.name


def _rules(v, ctx):
    out = []
    household = v.get("household")
    if v.get("asset_class") == AssetClass.HOUSEHOLD and v.get("owner_type") != OwnerType.HOUSEHOLD:
        out.append(("owner_type", "到户类资产应确权到农户：确权对象请填“农户”，并填写确权农户的户编号。"))
    if v.get("owner_type") == OwnerType.HOUSEHOLD and household is None:
        out.append((HOUSEHOLD, "确权对象为农户时须填写确权农户的户编号。"))
    if v.get("owner_type") != OwnerType.HOUSEHOLD and household is not None:
        out.append((HOUSEHOLD, "确权对象不是农户，请不要填写户编号。"))
    if (v.get("distributed") or 0) > (v.get("income") or 0):
        out.append(("distributed", "收益分配多于本年收益，请核对。"))
    if v.get("disposal") not in (None, "", Disposal.NONE) and not v.get("disposed_on"):
        out.append(("disposed_on", "已处置的资产须填写处置日期。"))
    return out


def _held(area, start, end):
    return in_area(Asset.objects.filter(disposal=Disposal.NONE, project_year__lte=end.year), area)


ASSETS = register(
    Ledger(
        slug="assets",
        title="扶贫项目资产",
        model=Asset,
        description="经营性、公益性资产确权到村集体，到户类资产确权到农户；登记管护责任和记录、收益分配与处置。",
        area_levels=(3, 4, 5),
        columns=[
            Column(AREA, required=False, hint="资产所在县、乡镇或村；确权到农户时可留空（按户所在村）"),
            Column("name"),
            Column("asset_class"),
            Column("project_year", in_list=False),
            Column("value"),
            Column("owner_type"),
            Column(HOUSEHOLD, label="确权农户户编号", required=False, in_list=False),
            Column("confirmed_on", in_list=False),
            Column("keeper_unit", in_list=False),
            Column("keeper", in_list=False),
            Column("maintenance", in_list=False),
            Column("maintained_on", in_list=False),
            Column("income", required=False, in_list=False),
            Column("distributed", required=False),
            Column("disposal", required=False),
            Column("disposed_on", in_list=False),
        ],
        filters=("asset_class", "owner_type", "disposal"),
        search=("name", "keeper_unit"),
        rules=[_rules],
        metrics=(
            Metric(
                "asset_value",
                "在管扶贫项目资产",
                "元",
                "stock",
                lambda a, s, e: total(_held(a, s, e), "value"),
            ),
            Metric(
                "asset_distributed",
                "资产收益分配",
                "元",
                "flow",
                lambda a, s, e: total(_held(a, s, e), "distributed"),
            ),
        ),
    )
)

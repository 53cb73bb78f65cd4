"""公益性岗位: holder, post, months, pay; age limits (16–60, up to 65 with a reason) are settings."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from fanpin.ledgers.framework.base import PersonEntry, person_name
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import count, in_area, total
from fanpin.ledgers.loans import _age_on


class PostType(models.TextChoices):
    CLEANING = "乡村保洁", "乡村保洁"
    FOREST = "护林防火", "护林防火"
    ROAD = "道路养护", "道路养护"
    WATER = "水管员", "水管员"
    SAFETY = "治安协管", "治安协管"
    CARE = "养老服务", "养老服务"
    OTHER = "其他", "其他"


class WelfareJob(PersonEntry):
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="上岗人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    post = models.CharField("岗位名称", max_length=100)
    post_type = models.CharField("岗位类型", max_length=10, choices=PostType.choices)
    start_on = models.DateField("上岗日期")
    end_on = models.DateField("离岗日期", null=True, blank=True)
    months = models.PositiveSmallIntegerField(
        "本年上岗月数", validators=[MinValueValidator(0), MaxValueValidator(12)]
    )
    monthly_pay = models.DecimalField("月补贴（元）", max_digits=10, decimal_places=2)
    paid_total = models.DecimalField(
        "本年已发放（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    age_reason = models.CharField("超龄上岗说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "公益性岗位"
        verbose_name_plural = "公益性岗位"

    def __str__(self) -> str:
        return f"{person_name(self)}（{self.post}）"


def _rules(v, ctx):
    out = []
    member, day = v.get("member"), v.get("start_on")
    area = v.get(AREA)
    code = area.code if area is not None else "14"
    if member is not None and member.birth_date and day:
        age = _age_on(member.birth_date, day)
        low = ctx.setting("welfare_min_age", code)
        usual = ctx.setting("welfare_max_age", code)
        extended = ctx.setting("welfare_max_age_extended", code)
        if age < low or age > extended:
            out.append(
                (
                    MEMBER,
                    f"上岗时 {age} 周岁，不在 {low:g}–{extended:g} 周岁之间"
                    f"（政策设置：{ctx.setting_label('welfare_min_age')}、{ctx.setting_label('welfare_max_age_extended')}），不能上岗。",
                )
            )
        elif age > usual and not v.get("age_reason"):
            out.append(
                (
                    "age_reason",
                    f"上岗时 {age} 周岁，超过一般上限 {usual:g} 周岁（政策设置：{ctx.setting_label('welfare_max_age')}）："
                    f"确需放宽（不超过 {extended:g} 周岁）请填写超龄上岗说明。",
                )
            )
    if v.get("end_on") and day and v["end_on"] < day:
        out.append(("end_on", "离岗日期早于上岗日期，请核对。"))
    return out


def _active(area, start, end):
    qs = WelfareJob.objects.filter(start_on__lte=end).exclude(end_on__lt=start)
    return in_area(qs, area)


WELFARE_JOBS = register(
    Ledger(
        slug="welfare-jobs",
        title="公益性岗位",
        model=WelfareJob,
        description="安置弱劳力、半劳力的脱贫人口和监测对象；上岗年龄 16–60 周岁，确有需要可放宽至 65 周岁（政策设置）。",
        columns=[
            Column(AREA, required=False, hint="可留空：按上岗人员所在村"),
            Column(HOUSEHOLD, required=False, in_list=False),
            Column("holder", label="上岗人员", getter=person_name),
            Column(MEMBER, label="上岗人员证件号码", required=True),
            Column("post"),
            Column("post_type"),
            Column("start_on"),
            Column("end_on", in_list=False),
            Column("months"),
            Column("monthly_pay"),
            Column("paid_total", in_list=False),
            Column("age_reason", in_list=False),
        ],
        natural_key=("member", "post", "start_on"),
        filters=("post_type",),
        search=("post",),
        order=("-start_on", "-id"),
        rules=[_rules],
        metrics=(
            Metric(
                "welfare_holders",
                "公益性岗位在岗人数",
                "人",
                "stock",
                lambda a, s, e: count(_active(a, e, e)),
            ),
            Metric(
                "welfare_paid",
                "公益性岗位补贴发放",
                "元",
                "flow",
                lambda a, s, e: total(_active(a, s, e), "paid_total"),
            ),
        ),
    )
)

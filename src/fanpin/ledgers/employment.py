"""务工月监测 (one row per worker per month) and the "131" service record."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from fanpin.ledgers.framework.base import PersonEntry, person_name
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import count, in_area, ratio, total

AGGREGATE_NOTE = (
    "汇总行：不填证件号码和户编号，在“人数”列填该区划、该月份、该务工地点的人数（用于录入上级汇总数或历史数据）；"
    "逐人登记时“人数”填 1（或留空）。"
)


class Place(models.TextChoices):
    COUNTY = "县内", "县内"
    PROVINCE = "省内县外", "省内县外"
    OUT = "省外", "省外"


class Channel(models.TextChoices):
    ORGANISED = "有组织劳务输出", "有组织劳务输出"
    SELF = "自主外出", "自主外出"
    WORKSHOP = "帮扶车间", "帮扶车间"
    WELFARE = "公益性岗位", "公益性岗位"
    LOCAL = "就近就业", "就近就业"
    OTHER = "其他", "其他"


class WorkRecord(PersonEntry):
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
        verbose_name="务工人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2016), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    headcount = models.PositiveIntegerField("人数", default=1, validators=[MinValueValidator(1)])
    place = models.CharField("务工地点", max_length=10, choices=Place.choices)
    location = models.CharField("务工所在地（单位）", max_length=100, blank=True)
    start_on = models.DateField("务工开始日期", null=True, blank=True)
    end_on = models.DateField("务工结束日期", null=True, blank=True)
    monthly_wage = models.DecimalField("月工资（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    channel = models.CharField("就业渠道", max_length=20, choices=Channel.choices, blank=True)
    travel_subsidy = models.DecimalField(
        "交通补贴（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    p2p_transport = models.BooleanField("点对点输送", default=False)
    service_needs = models.CharField("服务需求", max_length=200, blank=True)

    class Meta:
        verbose_name = "务工月监测"
        verbose_name_plural = "务工月监测"
        indexes = [models.Index(fields=["year", "month", "area"])]

    def __str__(self) -> str:
        who = person_name(self, f"汇总 {self.headcount} 人")
        return f"{who} {self.year}-{self.month:02d} {self.place}"


def _person_or_aggregate(v, ctx):
    out = []
    headcount = v.get("headcount") or 1
    if v.get("member") is not None and headcount != 1:
        out.append(("headcount", "逐人登记的行“人数”应为 1；汇总行请不填证件号码。"))
    if v.get("member") is None and v.get("household") is not None:
        out.append((MEMBER, "填写了户编号，请同时填写务工人员的证件号码；汇总行两者都不填。"))
    return out


def _rules(v, ctx):
    out = _person_or_aggregate(v, ctx)
    if v.get("start_on") and v.get("end_on") and v["end_on"] < v["start_on"]:
        out.append(("end_on", "务工结束日期早于开始日期，请核对。"))
    wage = v.get("monthly_wage")
    if wage is not None and wage < 0:
        out.append(("monthly_wage", "月工资不能为负数。"))
    return out


def _month(area, year, month):
    return in_area(WorkRecord.objects.filter(year=year, month=month), area)


def _workers(area, start, end, place=None):
    qs = _month(area, end.year, end.month)
    if place:
        qs = qs.filter(place=place)
    return total(qs, "headcount")


EMPLOYMENT = register(
    Ledger(
        slug="employment",
        title="务工月监测",
        model=WorkRecord,
        description="每名务工人员每月一行。某月务工人数 = 该月各行“人数”之和；期间的务工人数取期间最后一个月。",
        aggregate_note=AGGREGATE_NOTE,
        columns=[
            Column(AREA, required=False, hint="逐人登记可留空（按户所在村）；汇总行必填"),
            Column(HOUSEHOLD, required=False, in_list=False),
            Column("member_name", label="务工人员", getter=lambda e: person_name(e, "（汇总）")),
            Column(MEMBER, label="务工人员证件号码", required=False),
            Column("year"),
            Column("month"),
            Column("headcount", required=False, hint="逐人登记填 1 或留空；汇总行填人数"),
            Column("place"),
            Column("location", in_list=False),
            Column("start_on", in_list=False),
            Column("end_on", in_list=False),
            Column("monthly_wage"),
            Column("channel", in_list=False),
            Column("travel_subsidy", in_list=False),
            Column("p2p_transport", in_list=False),
            Column("service_needs", in_list=False),
        ],
        natural_key=("member", "year", "month"),
        filters=("year", "month", "place", "channel"),
        order=("-year", "-month", "-id"),
        rules=[_rules],
        metrics=(
            Metric("workers", "务工人数", "人", "stock", lambda a, s, e: _workers(a, s, e)),
            Metric(
                "workers_out_of_province",
                "省外务工人数",
                "人",
                "stock",
                lambda a, s, e: _workers(a, s, e, Place.OUT),
            ),
            Metric(
                "workers_in_county",
                "县内务工人数",
                "人",
                "stock",
                lambda a, s, e: _workers(a, s, e, Place.COUNTY),
            ),
        ),
    )
)


class Service131(PersonEntry):
    """ "131" 服务: 1 次职业指导, 3 次以上岗位推荐, 1 次培训推荐 per worker and year."""

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
        verbose_name="服务对象",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2016), MaxValueValidator(2100)]
    )
    career_guidance = models.PositiveSmallIntegerField("职业指导（次）", default=0)
    job_recommendations = models.PositiveSmallIntegerField("岗位推荐（次）", default=0)
    training_recommendations = models.PositiveSmallIntegerField("培训推荐（次）", default=0)
    served_by = models.CharField("服务人员", max_length=50, blank=True)
    last_served_on = models.DateField("最近服务日期", null=True, blank=True)

    class Meta:
        verbose_name = "131 就业服务"
        verbose_name_plural = "131 就业服务"

    def __str__(self) -> str:
        return f"{person_name(self)} {self.year} 年 131 服务"

    @property
    def complete(self) -> bool:
        return (
            self.career_guidance >= 1 and self.job_recommendations >= 3 and self.training_recommendations >= 1
        )


def _complete(area, start, end):
    qs = in_area(Service131.objects.filter(year__gte=start.year, year__lte=end.year), area)
    done = qs.filter(career_guidance__gte=1, job_recommendations__gte=3, training_recommendations__gte=1)
    return ratio(count(done), count(qs))


SERVICE131 = register(
    Ledger(
        slug="service131",
        title="“131”就业服务",
        model=Service131,
        description="每名务工人员每年一行：1 次职业指导、3 次以上岗位推荐、1 次培训推荐为服务到位。",
        columns=[
            Column(AREA, required=False, hint="可留空：按服务对象所在村"),
            Column(HOUSEHOLD, required=False, in_list=False),
            Column("member_name", label="服务对象", getter=person_name),
            Column(MEMBER, label="服务对象证件号码", required=True),
            Column("year"),
            Column("career_guidance"),
            Column("job_recommendations"),
            Column("training_recommendations"),
            Column("complete", label="服务到位", getter=lambda e: e.complete, read_only=True),
            Column("served_by", in_list=False),
            Column("last_served_on", in_list=False),
        ],
        natural_key=("member", "year"),
        filters=("year",),
        rules=[],
        metrics=(Metric("service131_rate", "“131”服务到位率", "%", "ratio", _complete),),
    )
)

"""就业帮扶车间 and their workers."""

from __future__ import annotations

from django.db import models

from fanpin.ledgers.framework.base import LedgerEntry, PersonEntry, person_name
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import count, in_area, total


class Workshop(LedgerEntry):
    name = models.CharField("车间名称", max_length=100)
    operator = models.CharField("经营主体", max_length=100)
    industry = models.CharField("主营产业", max_length=50, blank=True)
    established_on = models.DateField("认定日期", null=True, blank=True)
    workers_total = models.PositiveIntegerField("吸纳就业人数")
    poor_workers = models.PositiveIntegerField("其中脱贫劳动力和监测对象")
    avg_monthly_wage = models.DecimalField(
        "人均月工资（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    subsidy = models.DecimalField("享受奖补（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    active = models.BooleanField("正常运营", default=True)

    class Meta:
        verbose_name = "就业帮扶车间"
        verbose_name_plural = "就业帮扶车间"

    def __str__(self) -> str:
        return self.name


def _workshop_rules(v, ctx):
    if (
        v.get("poor_workers") is not None
        and v.get("workers_total") is not None
        and v["poor_workers"] > v["workers_total"]
    ):
        return [("poor_workers", "脱贫劳动力人数不能多于吸纳就业人数。")]
    return []


def _workshops(area, start, end):
    qs = Workshop.objects.filter(active=True).exclude(established_on__gt=end)
    return in_area(qs, area)


WORKSHOPS = register(
    Ledger(
        slug="workshops",
        title="就业帮扶车间",
        model=Workshop,
        description="每个车间一行；“其中脱贫劳动力和监测对象”是车间的汇总人数，名单在“帮扶车间务工人员”中逐人登记。",
        area_levels=(3, 4, 5),
        columns=[
            Column(AREA),
            Column("name"),
            Column("operator"),
            Column("industry", in_list=False),
            Column("established_on", in_list=False),
            Column("workers_total"),
            Column("poor_workers"),
            Column("avg_monthly_wage"),
            Column("subsidy", in_list=False),
            Column("active"),
        ],
        filters=("active",),
        search=("name", "operator"),
        rules=[_workshop_rules],
        metrics=(
            Metric("workshops", "帮扶车间数", "个", "stock", lambda a, s, e: count(_workshops(a, s, e))),
            Metric(
                "workshop_workers",
                "帮扶车间吸纳脱贫劳动力",
                "人",
                "stock",
                lambda a, s, e: total(_workshops(a, s, e), "poor_workers"),
            ),
        ),
    )
)


class WorkshopWorker(PersonEntry):
    workshop = models.ForeignKey(
        Workshop, verbose_name="帮扶车间", on_delete=models.PROTECT, related_name="workers"
    )
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
    start_on = models.DateField("进车间日期")
    end_on = models.DateField("离开日期", null=True, blank=True)
    monthly_wage = models.DecimalField("月工资（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "帮扶车间务工人员"
        verbose_name_plural = "帮扶车间务工人员"

    def __str__(self) -> str:
        return f"{person_name(self)}（{self.workshop.name}）"


def _worker_rules(v, ctx):
    out = []
    if v.get("end_on") and v.get("start_on") and v["end_on"] < v["start_on"]:
        out.append(("end_on", "离开日期早于进车间日期，请核对。"))
    return out


WORKSHOP_WORKERS = register(
    Ledger(
        slug="workshop-workers",
        title="帮扶车间务工人员",
        model=WorkshopWorker,
        description="“帮扶车间”列填车间的编号（见就业帮扶车间台账）。",
        columns=[
            Column(AREA, required=False, hint="可留空：按务工人员所在村"),
            Column("workshop", label="帮扶车间", hint="填写车间编号（就业帮扶车间台账的“编号”列）"),
            Column(HOUSEHOLD, required=False, in_list=False),
            Column("worker", label="务工人员", getter=person_name),
            Column(MEMBER, label="务工人员证件号码", required=True),
            Column("start_on"),
            Column("end_on", in_list=False),
            Column("monthly_wage"),
        ],
        natural_key=("workshop", "member"),
        order=("-start_on", "-id"),
        rules=[_worker_rules],
    )
)

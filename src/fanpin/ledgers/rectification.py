"""问题排查整改台账: problems found, source, area, owner, deadline, status → completion rate."""

from __future__ import annotations

from django.db import models

from fanpin.ledgers.framework.base import LedgerEntry
from fanpin.ledgers.framework.definition import AREA, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import count, in_area, ratio


class ProblemSource(models.TextChoices):
    NATIONAL = "国家考核评估", "国家考核评估"
    INSPECTION = "督查巡查", "督查巡查"
    AUDIT = "审计", "审计"
    SELF = "自查排查", "自查排查"
    PUBLIC = "群众反映", "群众反映"
    OTHER = "其他", "其他"


class ProblemStatus(models.TextChoices):
    OPEN = "整改中", "整改中"
    DONE = "已整改", "已整改"


class Problem(LedgerEntry):
    problem = models.CharField("问题描述", max_length=300)
    source = models.CharField("问题来源", max_length=20, choices=ProblemSource.choices)
    found_on = models.DateField("发现日期")
    owner = models.CharField("责任单位（责任人）", max_length=100)
    deadline = models.DateField("整改时限", null=True, blank=True)
    status = models.CharField(
        "整改状态", max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    measures = models.CharField("整改措施", max_length=300, blank=True)

    class Meta:
        verbose_name = "问题排查整改"
        verbose_name_plural = "问题排查整改"
        indexes = [models.Index(fields=["area", "found_on"])]

    def __str__(self) -> str:
        return self.problem[:40]


def _rules(v, ctx):
    out = []
    if v.get("status") == ProblemStatus.DONE and not v.get("rectified_on"):
        out.append(("rectified_on", "整改状态为“已整改”时须填写整改完成日期。"))
    if v.get("status") == ProblemStatus.OPEN and v.get("rectified_on"):
        out.append(("status", "已填写整改完成日期，整改状态应为“已整改”。"))
    if v.get("rectified_on") and v.get("found_on") and v["rectified_on"] < v["found_on"]:
        out.append(("rectified_on", "整改完成日期早于发现日期，请核对。"))
    if v.get("deadline") and v.get("found_on") and v["deadline"] < v["found_on"]:
        out.append(("deadline", "整改时限早于发现日期，请核对。"))
    return out


def _found(area, start, end):
    return in_area(Problem.objects.filter(found_on__gte=start, found_on__lte=end), area)


RECTIFICATION = register(
    Ledger(
        slug="rectification",
        title="问题排查整改台账",
        model=Problem,
        description="每个问题一行；整改完成率 = 已整改问题数 ÷ 排查发现问题数（按发现日期所在期间）。",
        columns=[
            Column(AREA),
            Column("problem"),
            Column("source"),
            Column("found_on"),
            Column("owner"),
            Column("deadline", in_list=False),
            Column("status", required=False, hint="可填：整改中、已整改；留空为整改中"),
            Column("rectified_on", in_list=False),
            Column("measures", in_list=False),
        ],
        filters=("source", "status"),
        search=("problem", "owner"),
        order=("-found_on", "-id"),
        rules=[_rules],
        metrics=(
            Metric("problems_found", "排查发现问题数", "个", "flow", lambda a, s, e: count(_found(a, s, e))),
            Metric(
                "problems_rectified",
                "已整改问题数",
                "个",
                "flow",
                lambda a, s, e: count(_found(a, s, e).filter(status=ProblemStatus.DONE)),
            ),
            Metric(
                "rectification_rate",
                "问题整改完成率",
                "%",
                "ratio",
                lambda a, s, e: ratio(
                    count(_found(a, s, e).filter(status=ProblemStatus.DONE)), count(_found(a, s, e))
                ),
            ),
        ),
    )
)

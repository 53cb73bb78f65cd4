"""驻村工作队 / 第一书记: members per village, days in the village, trainings."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models

from fanpin.core.fields import EncryptedCharField
from fanpin.ledgers.framework.base import LedgerEntry
from fanpin.ledgers.framework.definition import AREA, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import count, in_area


class TeamRole(models.TextChoices):
    SECRETARY = "第一书记", "第一书记"
    LEADER = "工作队队长", "工作队队长"
    MEMBER = "工作队员", "工作队员"


class TeamMember(LedgerEntry):
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=10, choices=TeamRole.choices)
    unit = models.CharField("派出单位", max_length=100)
    phone = EncryptedCharField("联系电话", plain_max_length=20, kind="phone", blank=True)  # encrypted at rest
    start_on = models.DateField("驻村开始日期")
    end_on = models.DateField("驻村结束日期", null=True, blank=True)
    days_week = models.PositiveSmallIntegerField("本周在村天数", default=0, validators=[MaxValueValidator(7)])
    days_year = models.PositiveSmallIntegerField(
        "本年在村天数", default=0, validators=[MaxValueValidator(366)]
    )
    trainings = models.PositiveSmallIntegerField("本年参加培训（次）", default=0)

    class Meta:
        verbose_name = "驻村工作队"
        verbose_name_plural = "驻村工作队"

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"

    @property
    def five_four(self) -> bool:
        """“五天四夜”: at least 5 days in the village this week."""
        return self.days_week >= 5


def _rules(v, ctx):
    out = []
    if v.get("end_on") and v.get("start_on") and v["end_on"] < v["start_on"]:
        out.append(("end_on", "驻村结束日期早于开始日期，请核对。"))
    phone = (v.get("phone") or "").strip()
    if phone and (not phone.isdigit() or len(phone) not in (7, 8, 11, 12)):
        out.append(("phone", "联系电话应为 11 位手机号或固定电话号码（只填数字）。"))
    return out


def _serving(area, start, end):
    return in_area(TeamMember.objects.filter(start_on__lte=end).exclude(end_on__lt=end), area)


WORK_TEAMS = register(
    Ledger(
        slug="work-teams",
        title="驻村工作队",
        model=TeamMember,
        description="每名队员一行，按所驻村登记；“五天四夜”= 每周在村不少于 5 天。",
        area_levels=(5,),
        columns=[
            Column(AREA, label="所驻村区划代码"),
            Column("name"),
            Column("role"),
            Column("unit"),
            Column("phone", personal="phone", in_list=False),
            Column("start_on", in_list=False),
            Column("end_on", in_list=False),
            Column("days_week", required=False),
            Column("five_four", label="五天四夜", getter=lambda e: e.five_four, read_only=True),
            Column("days_year", required=False),
            Column("trainings", required=False),
        ],
        filters=("role",),
        search=("name", "unit"),
        rules=[_rules],
        metrics=(
            Metric(
                "first_secretaries",
                "在岗第一书记",
                "人",
                "stock",
                lambda a, s, e: count(_serving(a, s, e).filter(role=TeamRole.SECRETARY)),
            ),
            Metric("team_members", "在岗驻村队员", "人", "stock", lambda a, s, e: count(_serving(a, s, e))),
        ),
    )
)

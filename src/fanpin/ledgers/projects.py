"""衔接资金项目库 (village proposes → township reviews → county approves) and 衔接资金下达.

Only approved library projects (县级审定入库) may enter the annual plan and receive funds. Fund–project
match rate = funds arranged to approved projects of the year ÷ transition funds issued for the year."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from fanpin.accounts.choices import Permission
from fanpin.ledgers.framework.base import LedgerEntry
from fanpin.ledgers.framework.definition import AREA, Column, Ledger, Metric, Transition, register
from fanpin.ledgers.framework.metrics import count, in_area, ratio, total

_YEAR = [MinValueValidator(2016), MaxValueValidator(2100)]
_MONEY = {"max_digits": 16, "decimal_places": 2}


class ProjectCategory(models.TextChoices):
    INDUSTRY = "产业发展", "产业发展"
    EMPLOYMENT = "就业项目", "就业项目"
    INFRASTRUCTURE = "乡村建设", "乡村建设（基础设施）"
    SERVICES = "公共服务", "公共服务"
    RELOCATION = "易地搬迁后续扶持", "易地搬迁后续扶持"
    OTHER = "其他", "其他"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "村级申报"
    REVIEWED = "reviewed", "乡镇审核通过"
    APPROVED = "approved", "县级审定入库"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予入库"


class Project(LedgerEntry):
    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=_YEAR)
    category = models.CharField("项目类别", max_length=20, choices=ProjectCategory.choices)
    status = models.CharField(
        "入库状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    in_annual_plan = models.BooleanField("列入年度计划", default=False)
    planned_funds = models.DecimalField("计划投资（元）", null=True, blank=True, **_MONEY)
    allocated = models.DecimalField("安排衔接资金（元）", default=Decimal("0"), **_MONEY)
    disbursed = models.DecimalField("已拨付资金（元）", default=Decimal("0"), **_MONEY)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    beneficiaries = models.PositiveIntegerField("带动脱贫人口（人）", null=True, blank=True)

    class Meta:
        verbose_name = "衔接资金项目库"
        verbose_name_plural = "衔接资金项目库"
        indexes = [models.Index(fields=["year", "area"])]

    def __str__(self) -> str:
        return self.name


def _rules(v, ctx):
    out = []
    instance = ctx.instance
    status = instance.status if instance is not None and instance.pk else ProjectStatus.PROPOSED
    approved = status == ProjectStatus.APPROVED
    if not approved and (v.get("allocated") or 0) > 0:
        out.append(
            (
                "allocated",
                "项目尚未县级审定入库，不能安排衔接资金：只有项目库内的项目才能安排资金，请先完成审核审定。",
            )
        )
    if not approved and v.get("in_annual_plan"):
        out.append(("in_annual_plan", "项目尚未县级审定入库，不能列入年度计划。"))
    if (v.get("disbursed") or 0) > (v.get("allocated") or 0):
        out.append(("disbursed", "已拨付资金大于安排的衔接资金，请核对。"))
    if v.get("started_on") and not v.get("in_annual_plan"):
        out.append(("started_on", "未列入年度计划的项目不应开工，请先列入年度计划。"))
    if v.get("completed_on") and not v.get("started_on"):
        out.append(("completed_on", "已填竣工日期，请同时填写开工日期。"))
    if v.get("completed_on") and v.get("started_on") and v["completed_on"] < v["started_on"]:
        out.append(("completed_on", "竣工日期早于开工日期，请核对。"))
    return out


def _projects(area, start, end):
    return in_area(Project.objects.filter(year__gte=start.year, year__lte=end.year), area)


class FundIssue(LedgerEntry):
    year = models.PositiveSmallIntegerField("年度", validators=_YEAR)
    level = models.CharField(
        "资金来源",
        max_length=10,
        choices=[("中央", "中央"), ("省级", "省级"), ("市级", "市级"), ("县级", "县级")],
    )
    amount = models.DecimalField("下达金额（元）", validators=[MinValueValidator(Decimal("0.01"))], **_MONEY)
    document = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("下达日期", null=True, blank=True)

    class Meta:
        verbose_name = "衔接资金下达"
        verbose_name_plural = "衔接资金下达"

    def __str__(self) -> str:
        return f"{self.year} 年{self.level}衔接资金 {self.amount} 元"


def _funds(area, start, end):
    return in_area(FundIssue.objects.filter(year__gte=start.year, year__lte=end.year), area)


def _arranged(area, start, end):
    return total(_projects(area, start, end).filter(status=ProjectStatus.APPROVED), "allocated")


PROJECTS = register(
    Ledger(
        slug="projects",
        title="衔接资金项目库",
        model=Project,
        description="村级申报 → 乡镇审核 → 县级审定入库；只有入库项目才能列入年度计划、安排衔接资金。",
        area_levels=(3, 4, 5),
        columns=[
            Column(AREA),
            Column("name"),
            Column("year"),
            Column("category"),
            Column("status", read_only=True, getter=lambda e: e.get_status_display()),
            Column("in_annual_plan"),
            Column("planned_funds", in_list=False),
            Column("allocated", required=False),
            Column("disbursed", required=False, in_list=False),
            Column("started_on", in_list=False),
            Column("completed_on", in_list=False),
            Column("beneficiaries", in_list=False),
        ],
        filters=("year", "category", "status", "in_annual_plan"),
        search=("name",),
        order=("-year", "-id"),
        rules=[_rules],
        initial_status=ProjectStatus.PROPOSED,
        transitions=(
            Transition(
                "review", "乡镇审核通过", (ProjectStatus.PROPOSED,), ProjectStatus.REVIEWED, Permission.REVIEW
            ),
            Transition(
                "return",
                "退回修改",
                (ProjectStatus.PROPOSED, ProjectStatus.REVIEWED),
                ProjectStatus.RETURNED,
                Permission.REVIEW,
            ),
            Transition(
                "resubmit", "重新申报", (ProjectStatus.RETURNED,), ProjectStatus.PROPOSED, Permission.EDIT
            ),
            Transition(
                "approve",
                "县级审定入库",
                (ProjectStatus.REVIEWED,),
                ProjectStatus.APPROVED,
                Permission.APPROVE,
            ),
            Transition(
                "reject", "不予入库", (ProjectStatus.REVIEWED,), ProjectStatus.REJECTED, Permission.APPROVE
            ),
        ),
        metrics=(
            Metric(
                "library_projects",
                "入库项目数",
                "个",
                "flow",
                lambda a, s, e: count(_projects(a, s, e).filter(status=ProjectStatus.APPROVED)),
            ),
            Metric(
                "plan_projects",
                "年度计划项目数",
                "个",
                "flow",
                lambda a, s, e: count(_projects(a, s, e).filter(in_annual_plan=True)),
            ),
            Metric(
                "started_projects",
                "已开工项目数",
                "个",
                "flow",
                lambda a, s, e: count(_projects(a, s, e).filter(in_annual_plan=True, started_on__lte=e)),
            ),
            Metric(
                "fund_match_rate",
                "资金项目匹配率",
                "%",
                "ratio",
                lambda a, s, e: ratio(_arranged(a, s, e), total(_funds(a, s, e), "amount")),
            ),
            Metric(
                "industry_share",
                "衔接资金用于产业发展比例",
                "%",
                "ratio",
                lambda a, s, e: ratio(
                    total(
                        _projects(a, s, e).filter(
                            status=ProjectStatus.APPROVED, category=ProjectCategory.INDUSTRY
                        ),
                        "allocated",
                    ),
                    _arranged(a, s, e),
                ),
                floor_setting="industry_share_min",
            ),
            Metric(
                "funds_issued", "衔接资金下达", "元", "flow", lambda a, s, e: total(_funds(a, s, e), "amount")
            ),
        ),
    )
)

FUNDS = register(
    Ledger(
        slug="funds",
        title="衔接资金下达",
        model=FundIssue,
        description="各级下达到县（市、省）的衔接推进乡村振兴补助资金；资金项目匹配率的分母。",
        area_levels=(1, 2, 3),
        columns=[
            Column(AREA),
            Column("year"),
            Column("level"),
            Column("amount"),
            Column("document"),
            Column("issued_on", in_list=False),
        ],
        filters=("year", "level"),
        search=("document",),
        order=("-year", "-id"),
    )
)

"""脱贫人口小额信贷: limits of domain §10 are policy settings, enforced with a refusal naming the rule."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from fanpin.ledgers.framework.base import PersonEntry, person_name
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, MEMBER, Column, Ledger, Metric, register
from fanpin.ledgers.framework.metrics import in_area, total
from fanpin.registry.choices import HouseholdType


class LoanUse(models.TextChoices):
    PLANTING = "种植业", "种植业"
    BREEDING = "养殖业", "养殖业"
    PROCESSING = "农产品加工", "农产品加工"
    TOURISM = "乡村旅游", "乡村旅游"
    BUSINESS = "其他生产经营", "其他生产经营"


class Loan(PersonEntry):
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="借款户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="借款人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    households = models.PositiveIntegerField("户数", default=1, validators=[MinValueValidator(1)])
    amount = models.DecimalField(
        "贷款金额（元）", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    term_months = models.PositiveSmallIntegerField("期限（月）", validators=[MinValueValidator(1)])
    rate = models.DecimalField("年利率（%）", max_digits=6, decimal_places=3, null=True, blank=True)
    subsidy = models.DecimalField("贴息金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    use = models.CharField("贷款用途", max_length=20, choices=LoanUse.choices)
    bank = models.CharField("放贷银行", max_length=100, blank=True)
    disbursed_on = models.DateField("放款日期")
    due_on = models.DateField("到期日期", null=True, blank=True)
    repaid = models.DecimalField("已还本金（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    repaid_on = models.DateField("结清日期", null=True, blank=True)
    overdue = models.BooleanField("逾期", default=False)

    class Meta:
        verbose_name = "脱贫人口小额信贷"
        verbose_name_plural = "脱贫人口小额信贷"
        indexes = [models.Index(fields=["area", "disbursed_on"])]

    def __str__(self) -> str:
        who = person_name(self, f"汇总 {self.households} 户")
        return f"{who} {self.amount} 元"


def _age_on(birth, day) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _rules(v, ctx):
    out = []
    area = v.get(AREA)
    code = area.code if area is not None else "14"
    member, household = v.get("member"), v.get("household")
    households = v.get("households") or 1
    amount, term = v.get("amount"), v.get("term_months")
    ceiling = ctx.setting("loan_max_amount", code)
    max_months = ctx.setting("loan_max_months", code)
    if member is None and household is not None:
        out.append((MEMBER, "请填写借款人的证件号码（须为该户家庭成员）。"))
    if member is not None:
        if households != 1:
            out.append(("households", "逐户登记的贷款“户数”应为 1；汇总行请不填借款人。"))
        home = member.household
        eligible = home.household_type == HouseholdType.FORMERLY_POOR or (
            home.category and not home.risk_eliminated
        )
        if not eligible:
            out.append(
                (
                    HOUSEHOLD,
                    f"户编号 {home.code} 是{home.household_type}，且不是风险未消除的监测对象："
                    "小额信贷只贷给脱贫户和监测对象（政策规则：贷款对象）。",
                )
            )
        day = v.get("disbursed_on")
        if member.birth_date and day:
            age = _age_on(member.birth_date, day)
            low, high = ctx.setting("loan_min_age", code), ctx.setting("loan_max_age", code)
            if not (low <= age <= high):
                out.append(
                    (
                        MEMBER,
                        f"借款人放款时 {age} 周岁，不在 {low:g}–{high:g} 周岁之间"
                        f"（政策设置：{ctx.setting_label('loan_min_age')}、{ctx.setting_label('loan_max_age')}），不能发放。",
                    )
                )
    if amount is not None and amount / households > ceiling:
        per = (
            "" if households == 1 else f"（汇总行户均 {(amount / households).quantize(Decimal('0.01'))} 元）"
        )
        out.append(
            (
                "amount",
                f"贷款金额{per}超过单户上限 {ceiling:,.0f} 元（政策设置：{ctx.setting_label('loan_max_amount')}），"
                f"请按不超过 {ceiling:,.0f} 元发放。",
            )
        )
    if term is not None and term > max_months:
        out.append(
            (
                "term_months",
                f"期限 {term} 个月超过上限 {max_months:g} 个月（政策设置：{ctx.setting_label('loan_max_months')}）。",
            )
        )
    rate, subsidy = v.get("rate"), v.get("subsidy")
    if rate is not None and subsidy is not None and amount is not None and term is not None:
        share = ctx.setting("loan_subsidy_share", code)
        most = (amount * rate / 100 * Decimal(term) / 12 * share).quantize(Decimal("0.01"))
        if subsidy > most:
            out.append(
                (
                    "subsidy",
                    f"贴息金额超过按利率和期限计算的上限 {most:,} 元"
                    f"（贷款金额 × 年利率 × 年数 × 贴息比例 {share:g}，政策设置：{ctx.setting_label('loan_subsidy_share')}）。",
                )
            )
    if v.get("repaid") is not None and amount is not None and v["repaid"] > amount:
        out.append(("repaid", "已还本金大于贷款金额，请核对。"))
    if v.get("due_on") and v.get("disbursed_on") and v["due_on"] < v["disbursed_on"]:
        out.append(("due_on", "到期日期早于放款日期，请核对。"))
    return out


def _disbursed(area, start, end):
    return in_area(Loan.objects.filter(disbursed_on__gte=start, disbursed_on__lte=end), area)


LOANS = register(
    Ledger(
        slug="loans",
        title="脱贫人口小额信贷",
        model=Loan,
        description="5 万元以下、3 年期以内、免担保免抵押、基准利率放贷、财政贴息，用于生产经营；"
        "对象为脱贫户和监测对象中 18–65 周岁有贷款意愿和能力的人（额度、期限、年龄为政策设置）。",
        aggregate_note="汇总行：不填户编号和借款人，在“户数”列填户数、“贷款金额”填合计（户均不得超过单户上限），"
        "用于录入银行或上级汇总的放贷数；逐户登记“户数”填 1。",
        columns=[
            Column(AREA, required=False, hint="逐户登记可留空（按借款户所在村）；汇总行必填"),
            Column(HOUSEHOLD, label="借款户户编号", required=False, in_list=False),
            Column("borrower", label="借款人", getter=lambda e: person_name(e, "（汇总）")),
            Column(MEMBER, label="借款人证件号码", required=False),
            Column("households", required=False),
            Column("amount"),
            Column("term_months"),
            Column("rate", in_list=False),
            Column("subsidy", in_list=False),
            Column("use"),
            Column("bank", in_list=False),
            Column("disbursed_on"),
            Column("due_on", in_list=False),
            Column("repaid", required=False, in_list=False),
            Column("repaid_on", in_list=False),
            Column("overdue"),
        ],
        filters=("use", "overdue"),
        search=("bank",),
        order=("-disbursed_on", "-id"),
        rules=[_rules],
        metrics=(
            Metric(
                "loan_amount",
                "小额信贷发放金额",
                "元",
                "flow",
                lambda a, s, e: total(_disbursed(a, s, e), "amount"),
            ),
            Metric(
                "loan_households",
                "小额信贷发放户数",
                "户",
                "flow",
                lambda a, s, e: total(_disbursed(a, s, e), "households"),
            ),
            Metric(
                "loan_overdue",
                "逾期贷款金额",
                "元",
                "flow",
                lambda a, s, e: total(_disbursed(a, s, e).filter(overdue=True), "amount"),
            ),
        ),
    )
)

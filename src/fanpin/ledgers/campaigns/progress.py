"""Campaign arithmetic: actual from the ledgers, actual ÷ target, actual ÷ same period last year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from fanpin.ledgers.framework.definition import all_metrics

HUNDRED = Decimal("100")


def shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def percent(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    q = Decimal(1).scaleb(-decimals)
    return (value * HUNDRED).quantize(q, rounding=ROUND_HALF_UP)


def fmt_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def fmt_amount(value: Decimal | None, unit: str, decimals: int = 2) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return fmt_percent(percent(value, decimals))
    if unit == "元":
        return f"{value.quantize(Decimal('0.01')):,} 元"
    return f"{value.quantize(Decimal('1')):,} {unit}"


@dataclass
class Progress:
    target: object
    label: str
    unit: str
    kind: str
    actual: Decimal
    last_year: Decimal | None
    of_target: Decimal | None  # percent, rounded to target.decimals
    of_last_year: Decimal | None

    @property
    def actual_text(self) -> str:
        return fmt_amount(self.actual, self.unit, self.target.decimals)

    @property
    def target_text(self) -> str:
        if self.target.target is None:
            return "—"
        if self.unit == "%":
            return f"{self.target.target.normalize():f}%"
        return fmt_amount(self.target.target, self.unit)

    @property
    def last_year_text(self) -> str:
        return fmt_amount(self.last_year, self.unit, self.target.decimals)

    @property
    def of_target_text(self) -> str:
        return fmt_percent(self.of_target)

    @property
    def of_last_year_text(self) -> str:
        return fmt_percent(self.of_last_year)


def target_progress(target) -> Progress:
    ledger, metric = all_metrics()[target.indicator]
    area = target.area_id
    actual = metric.compute(area, target.start_on, target.end_on)
    last = None
    of_last = None
    if target.compare_last_year:
        last = metric.compute(area, shift_year(target.start_on, -1), shift_year(target.end_on, -1))
        of_last = percent(actual / last, target.decimals) if last else None
    of_target = None
    if target.target is not None and target.target != 0:
        goal = target.target / HUNDRED if metric.unit == "%" else target.target
        of_target = percent(actual / goal, target.decimals)
    return Progress(
        target=target,
        label=metric.label,
        unit=metric.unit,
        kind=metric.kind,
        actual=actual,
        last_year=last,
        of_target=of_target,
        of_last_year=of_last,
    )


def indicator_choices() -> list[tuple[str, str]]:
    return [(key, f"{m.label}（{ledger.title}）") for key, (ledger, m) in all_metrics().items()]

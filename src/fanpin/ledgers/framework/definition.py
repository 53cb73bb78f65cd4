"""One declarative definition per ledger: model, columns, rules, metrics.

From a `Ledger` the framework generates the list page with filters, the create/edit form (the same
form validates every import row and every API write), the .xlsx template, import and export, the API
viewset, and the permission rules of the matrix. A ledger module (loans.py, employment.py, …) holds its
model and its `Ledger(...)`, and calls `register(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fanpin.accounts.choices import Permission

# Special columns that are not plain model fields.
AREA = "area"  # 区划代码 → Division (any level the ledger allows), inside the user's area
HOUSEHOLD = "household"  # 户编号 → registry Household inside the user's area
MEMBER = "member"  # 证件号码 → registry Member (of the household, when both are given)


@dataclass(frozen=True)
class Column:
    """One column of the ledger: a model field (or AREA / HOUSEHOLD / MEMBER) and its Chinese label.

    `read_only` columns are exported and shown but never read from a form or an import (e.g. a status
    that only the workflow changes); `getter` computes a shown value (e.g. the member's name)."""

    name: str
    label: str = ""
    required: bool | None = None  # None: as the model field says
    in_list: bool = True
    read_only: bool = False
    getter: Callable[[Any], Any] | None = None
    personal: str = ""  # "id" or "phone": masked unless the user may see personal data
    hint: str = ""  # how to fill it in, shown in the template and in error messages


@dataclass(frozen=True)
class Transition:
    """A step of the ledger's one state machine: from → to, needing a role permission."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str


@dataclass(frozen=True)
class Metric:
    """An indicator computed from the ledger for an area and a period (used by campaigns).

    kind: "flow" (sum over the period), "stock" (the value at the period's last month) or "ratio"
    (a share, 0–1, shown as a percentage). `compute(area_code, start, end)` returns a Decimal."""

    key: str
    label: str
    unit: str
    kind: str
    compute: Callable[[str, Any, Any], Decimal]
    floor_setting: str = ""  # a ratio's policy minimum (a LedgerSetting key), shown beside the value


@dataclass(eq=False)  # hashed by identity: one definition per ledger
class Ledger:
    slug: str
    title: str
    model: type
    columns: list[Column]
    description: str = ""
    area_levels: tuple[int, ...] = (1, 2, 3, 4, 5)  # division levels an entry may be recorded at
    rules: list[Callable[[dict, Any], list[tuple[str | None, str]]]] = field(default_factory=list)
    natural_key: tuple[str, ...] = ()  # unique among named rows (file and database)
    filters: tuple[str, ...] = ()  # model fields offered as list filters (choice or year fields)
    search: tuple[str, ...] = ()  # text fields searched by the list's 关键词
    order: tuple[str, ...] = ("-id",)
    transitions: tuple[Transition, ...] = ()
    initial_status: str = ""
    metrics: tuple[Metric, ...] = ()
    view_permission: str = Permission.VIEW
    edit_permission: str = Permission.EDIT
    aggregate_note: str = ""  # how aggregate rows (a count instead of a named person) work here
    group: str = "台账"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def label(self, column: Column | str) -> str:
        c = self.column(column) if isinstance(column, str) else column
        if c.label:
            return c.label
        if c.name == AREA:
            return "区划代码"
        if c.name == HOUSEHOLD:
            return "户编号"
        if c.name == MEMBER:
            return "证件号码"
        return str(self.model._meta.get_field(c.name).verbose_name)

    @property
    def editable_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.read_only and c.getter is None]

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)


LEDGERS: dict[str, Ledger] = {}


def register(ledger: Ledger) -> Ledger:
    LEDGERS[ledger.slug] = ledger
    return ledger


def get_ledger(slug: str) -> Ledger:
    from django.http import Http404

    try:
        return LEDGERS[slug]
    except KeyError:
        raise Http404("没有这个台账") from None


def all_metrics() -> dict[str, tuple[Ledger, Metric]]:
    return {m.key: (ledger, m) for ledger in LEDGERS.values() for m in ledger.metrics}

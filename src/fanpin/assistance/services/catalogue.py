"""The measure catalogue (帮扶措施目录): county (city, province) staff add items for their area."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanpin.accounts.choices import Permission
from fanpin.assistance.choices import CATEGORY_NAMES
from fanpin.assistance.models import MeasureItem
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import check_permission
from fanpin.core.services.audit import audit_record


@transaction.atomic
def measure_item_add(*, actor: Any, category: str, name: str, area_code: str | None = None) -> MeasureItem:
    """Add an item to a category for `area_code` (default: the actor's own area)."""
    if category not in CATEGORY_NAMES:
        raise ApplicationError(f"帮扶措施类别“{category}”不存在，请从 100A39 至 100A55 中选择。")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("帮扶项目名称不能为空。")
    if len(name) > 50:
        raise ApplicationError("帮扶项目名称不能超过 50 个字。")
    if area_code is None:
        area_code = getattr(actor, "area_code", None) or ""
    check_permission(actor, Permission.MANAGE_CATALOGUE, area_code)
    codes = [""] + [area_code[:n] for n in (2, 4, 6, 9, 12) if n <= len(area_code)]
    clash = MeasureItem.objects.filter(category=category, name=name, area_code__in=codes).first()
    if clash is not None:
        where = "全国目录" if not clash.area_code else f"区划 {clash.area_code}"
        raise ApplicationError(f"“{CATEGORY_NAMES[category]}”下已有项目“{name}”（{where}），无需重复添加。")
    last = MeasureItem.objects.filter(category=category).order_by("-sort").first()
    item = MeasureItem.objects.create(
        category=category, name=name, area_code=area_code, sort=(last.sort + 1) if last else 1
    )
    audit_record(
        actor=actor,
        action="assistance.item_add",
        obj=item,
        area_code=area_code,
        after={"category": category, "name": name, "area_code": area_code},
    )
    return item


@transaction.atomic
def measure_item_set_active(*, actor: Any, item: MeasureItem, active: bool) -> MeasureItem:
    """Retire (or bring back) an item the area added itself; the national items stay."""
    if not item.area_code:
        raise ApplicationError("全国目录中的项目不能停用；只能停用本地区新增的项目。")
    check_permission(actor, Permission.MANAGE_CATALOGUE, item.area_code)
    if item.active == active:
        return item
    item.active = active
    item.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="assistance.item_activate" if active else "assistance.item_retire",
        obj=item,
        area_code=item.area_code,
        before={"active": not active},
        after={"active": active},
    )
    return item

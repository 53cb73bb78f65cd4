from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fanpin.core.scope import area_prefix, restrict
from fanpin.divisions.models import Division


def division_list(*, user: Any) -> QuerySet[Division]:
    return restrict(Division.objects.all(), user=user, field="code")


def division_get(*, user: Any, code: str) -> Division:
    """The division `code` if it lies in the user's area; 404 otherwise (existence is not revealed)."""
    division = division_list(user=user).filter(code=code).first()
    if division is None:
        raise Http404("区划不存在或不在您的管辖范围内")
    return division


def division_root(*, user: Any) -> Division | None:
    """The top node a user may see: their area, or the first province for an unscoped superuser."""
    prefix = area_prefix(user)
    if prefix is None:
        return None
    if prefix:
        return Division.objects.filter(code=prefix).first()
    return Division.objects.filter(level=1).order_by("code").first()


def division_children(*, user: Any, division: Division) -> QuerySet[Division]:
    return (
        division_list(user=user)
        .filter(parent=division)
        .annotate(child_count=Count("children"))
        .order_by("code")
    )


def division_search(
    *, user: Any, query: str, within: Division | None = None, limit: int = 20
) -> list[Division]:
    """Picker: find divisions by name or code within the user's area (and optionally a subtree)."""
    query = (query or "").strip()
    if not query:
        return []
    qs = division_list(user=user)
    if within is not None:
        qs = qs.filter(code__startswith=within.code)
    if query.isdigit():
        qs = qs.filter(code__startswith=query)
    else:
        qs = qs.filter(Q(name__contains=query))
    return list(qs.order_by("level", "code")[:limit])


def division_breadcrumbs(*, user: Any, division: Division) -> list[Division]:
    """The chain from the user's top node down to `division`, never above the user's area."""
    prefix = area_prefix(user) or ""
    chain = [*division.ancestors(), division]
    return [d for d in chain if d.code.startswith(prefix)]


def division_level_counts(*, user: Any, division: Division) -> dict[int, int]:
    rows = (
        division_list(user=user)
        .filter(code__startswith=division.code)
        .values("level")
        .annotate(n=Count("code"))
    )
    return {r["level"]: r["n"] for r in rows}

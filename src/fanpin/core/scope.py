"""Area scope: the one place that decides what part of the division tree a user may see.

Every selector passes its queryset through `restrict(...)`. Records carry a division code (or the
denormalised village/township/county codes); a user's area is a code prefix.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def area_prefix(user: Any) -> str | None:
    """The code prefix bounding what `user` may see: '' = everything, None = nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active or getattr(user, "is_expired", False):
        return None
    return user.area_code


def restrict(qs: QuerySet, *, user: Any, field: str = "code") -> QuerySet:
    prefix = area_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    return qs.filter(**{f"{field}__startswith": prefix})


def user_covers(user: Any, code: str) -> bool:
    prefix = area_prefix(user)
    return prefix is not None and code.startswith(prefix)

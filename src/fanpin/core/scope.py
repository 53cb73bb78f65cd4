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


# Records that carry denormalised division codes (households and what hangs off them) are filtered by
# equality on the code of the user's level: one indexed lookup, no prefix scan.
HOUSEHOLD_CODE_FIELDS = {
    2: "province_code",
    4: "city_code",
    6: "county_code",
    9: "township_code",
    12: "village_id",
}


def household_fields(path: str = "") -> dict[int, str]:
    """HOUSEHOLD_CODE_FIELDS reached through a relation path, e.g. household_fields("household__")."""
    return {n: f"{path}{f}" for n, f in HOUSEHOLD_CODE_FIELDS.items()}


def restrict(
    qs: QuerySet, *, user: Any, field: str = "code", level_fields: dict[int, str] | None = None
) -> QuerySet:
    prefix = area_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    if level_fields is not None:
        exact = level_fields.get(len(prefix))
        if exact is None:
            return qs.none()
        return qs.filter(**{exact: prefix})
    return qs.filter(**{f"{field}__startswith": prefix})


def user_covers(user: Any, code: str) -> bool:
    prefix = area_prefix(user)
    return prefix is not None and code.startswith(prefix)


def number_filter(qs: QuerySet, field: str, value: Any) -> QuerySet:
    """Filter `qs` on a numeric `field` by a value from a query string: text that is not a number
    (from a hand-typed link or a fuzzer) matches nothing instead of reaching the database."""
    text = str(value)
    return qs.filter(**{field: int(text)}) if text.isdigit() else qs.none()

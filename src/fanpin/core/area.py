"""The working area (当前区划) chosen with the area switcher, always inside the user's own area."""

from __future__ import annotations

from django.http import HttpRequest

from fanpin.divisions.models import Division
from fanpin.divisions.selectors import division_list, division_root

SESSION_KEY = "fanpin_area"


def current_area(request: HttpRequest) -> Division | None:
    user = request.user
    if not user.is_authenticated:
        return None
    code = request.session.get(SESSION_KEY)
    if code:
        found = division_list(user=user).filter(code=code).first()
        if found is not None:
            return found
    return division_root(user=user)


def set_current_area(request: HttpRequest, division: Division) -> None:
    request.session[SESSION_KEY] = division.code

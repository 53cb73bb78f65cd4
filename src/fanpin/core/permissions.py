from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def requires(permission: str):
    """View decorator: logged in and the role grants `permission` (area checks are in selectors)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role_permission(permission):
                raise PermissionDenied("您的角色无权进行此操作")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def check_permission(actor, permission: str, area_code: str) -> None:
    """Services call this: the actor's role grants `permission` and `area_code` lies in their area.

    Raises PermissionDenied (a 403 for pages and the API). The object-not-found case (404) is the
    selectors' job; this is the guard on writes.
    """
    from fanpin.core.scope import user_covers

    if not getattr(actor, "pk", None):
        return  # system actors (CLI, demo, jobs) are trusted callers
    if not actor.has_role_permission(permission):
        raise PermissionDenied("您的角色无权进行此操作")
    if not user_covers(actor, area_code):
        raise PermissionDenied("该数据不在您的管辖范围内")

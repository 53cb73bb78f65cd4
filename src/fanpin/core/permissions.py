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

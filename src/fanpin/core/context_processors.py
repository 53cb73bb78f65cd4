from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    area = current_area(request)
    return {
        "current_area": area,
        "can_view_audit": user.has_role_permission(Permission.VIEW_AUDIT),
        "can_manage_divisions": user.has_role_permission(Permission.MANAGE_DIVISIONS),
    }

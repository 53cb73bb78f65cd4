from rest_framework.permissions import SAFE_METHODS, BasePermission

from fanpin.accounts.choices import Permission


class CanEditOrReadOnly(BasePermission):
    """Reads for any logged-in user (selectors bound them to the area); writes need the EDIT permission."""

    message = "您的角色无权修改数据"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or request.user.has_role_permission(Permission.EDIT)

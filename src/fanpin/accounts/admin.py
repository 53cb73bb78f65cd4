from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from fanpin.accounts.choices import Permission
from fanpin.accounts.models import LoginFailure, User
from fanpin.core.scope import restrict


def _may_manage(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.has_role_permission(Permission.MANAGE_USERS)


# The admin site is for system administrators only, and shows accounts within their area.
admin.site.has_permission = _may_manage
admin.site.site_header = "fanpin 系统管理"
admin.site.site_title = "fanpin 系统管理"
admin.site.index_title = "账号与基础数据"


class ManagedAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _may_manage(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    def has_change_permission(self, request, obj=None):
        return _may_manage(request)

    def has_add_permission(self, request):
        return _may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ManagedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "area", "valid_until", "locked_until", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name", "area__name", "area__code"]
    autocomplete_fields = []
    raw_id_fields = ["area"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "基本信息",
            {"fields": ("display_name", "phone", "role", "area", "valid_until", "locked_until", "is_active")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "area")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return restrict(qs, user=request.user, field="area__code")


@admin.register(LoginFailure)
class LoginFailureAdmin(ManagedAdmin):
    list_display = ["username", "ip", "created_at"]
    search_fields = ["username"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fanpin.accounts.choices import ROLE_PERMISSIONS
from fanpin.accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    role_name = serializers.CharField(source="get_role_display", read_only=True)
    area_name = serializers.CharField(source="area.full_name", read_only=True, default=None)
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "role",
            "role_name",
            "area",
            "area_name",
            "valid_until",
            "permissions",
        ]

    def get_permissions(self, user) -> list[str]:
        if user.is_superuser:
            return sorted({p for perms in ROLE_PERMISSIONS.values() for p in perms})
        return sorted(ROLE_PERMISSIONS.get(user.role, ()))


@extend_schema(tags=["账号"], responses=MeSerializer)
class MeView(APIView):
    """当前登录用户：角色、所辖区划与权限。"""

    def get(self, request):
        return Response(MeSerializer(request.user).data)

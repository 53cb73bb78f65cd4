from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets

from fanpin.core.scope import number_filter
from fanpin.divisions.models import Division
from fanpin.divisions.selectors import division_get, division_list


class DivisionSerializer(serializers.ModelSerializer):
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "level_name", "parent"]


@extend_schema(tags=["行政区划"])
class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划：只返回当前用户所辖区划内的节点。"""

    serializer_class = DivisionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{2,12}"

    def get_queryset(self):
        qs = division_list(user=self.request.user)
        params = self.request.query_params
        if params.get("parent"):
            qs = qs.filter(parent_id=params["parent"])
        if params.get("level"):
            qs = number_filter(qs, "level", params["level"])
        if params.get("q"):
            q = params["q"].strip()
            qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
        return qs.order_by("code")

    def get_object(self):
        return division_get(user=self.request.user, code=self.kwargs["code"])

    @extend_schema(
        parameters=[
            OpenApiParameter("parent", str, description="上级区划代码"),
            OpenApiParameter("level", int, description="层级：1 省 2 市 3 县 4 乡镇 5 村"),
            OpenApiParameter("q", str, description="按名称或代码前缀查找"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

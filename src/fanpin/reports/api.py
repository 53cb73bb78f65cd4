from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from fanpin.core.scope import user_covers
from fanpin.reports.indicators import INDICATORS
from fanpin.reports.models import Rollup
from fanpin.reports.selectors import rollups
from fanpin.reports.services.rollup import parse_month


class RollupSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = Rollup
        fields = ["area_code", "level", "year", "month", "indicator", "name", "unit", "value", "computed_at"]

    def get_name(self, obj) -> str:
        return INDICATORS[obj.indicator].name if obj.indicator in INDICATORS else obj.indicator

    def get_unit(self, obj) -> str:
        return INDICATORS[obj.indicator].unit if obj.indicator in INDICATORS else ""


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="区划代码（默认：本人所辖区划）"),
            OpenApiParameter("month", str, description="YYYY-MM（默认：该区划最近一个有汇总的月份）"),
            OpenApiParameter("children", bool, description="true：返回下一级各区划的指标，而不是本区划"),
            OpenApiParameter("indicator", str, description="只返回这一指标（指标代码，见 docs/reports.md）"),
        ]
    )
)
@extend_schema(tags=["统计报表"])
class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """统计指标（来自指标汇总，与页面、Excel、PDF 的数字一致）：只返回所辖区划内的数据。"""

    serializer_class = RollupSerializer

    def get_queryset(self):
        user = self.request.user
        p = self.request.query_params
        area = (p.get("area") or user.area_code or "14").strip()
        qs = rollups(user=user)
        if not user_covers(user, area):
            return qs.none()
        if p.get("children") in ("1", "true", "True"):
            qs = qs.filter(parent_code=area)
        else:
            qs = qs.filter(area_code=area)
        if p.get("month"):
            try:
                year, month = parse_month(p["month"])
            except Exception:  # noqa: BLE001 — a malformed month matches nothing
                return qs.none()
        else:
            latest = qs.filter(indicator="registered_households").order_by("-year", "-month").first()
            if latest is None and p.get("children") in ("1", "true", "True"):
                latest = (
                    rollups(user=user)
                    .filter(area_code=area, indicator="registered_households")
                    .order_by("-year", "-month")
                    .first()
                )
            if latest is None:
                return qs.none()
            year, month = latest.year, latest.month
        qs = qs.filter(year=year, month=month)
        if p.get("indicator"):
            qs = qs.filter(indicator=p["indicator"])
        return qs.order_by("area_code", "indicator")

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from fanpin.core.health import health_figures, health_text
from fanpin.monitoring.models import Lead, MonitoringRun, PolicySetting
from fanpin.monitoring.selectors import lead_get, lead_list, policy_list, run_get, run_list


class LeadSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    village_code = serializers.CharField(source="household.village_id", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "household",
            "household_code",
            "village_code",
            "source",
            "year",
            "month",
            "suggested_category",
            "risk_types",
            "reason",
            "figures",
            "status",
            "status_name",
            "handled_at",
            "handling_note",
            "run",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request and request.user
        data["reason"] = health_text(data.get("reason") or "", user)
        data["figures"] = health_figures(data.get("figures"), instance.source, user)
        return data


class RunSerializer(serializers.ModelSerializer):
    threshold = serializers.DecimalField(
        source="policy.threshold", max_digits=10, decimal_places=2, read_only=True
    )

    class Meta:
        model = MonitoringRun
        fields = [
            "id",
            "area_code",
            "year",
            "month",
            "engine",
            "status",
            "counts",
            "threshold",
            "created_at",
            "finished_at",
            "message",
        ]


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicySetting
        fields = ["id", "province_code", "year", "version", "effective_from", "threshold", "params", "source"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(n, str, description=d)
            for n, d in [
                ("month", "YYYY-MM"),
                ("area", "区划代码"),
                ("status", "open verified dismissed"),
                ("source", "来源"),
                ("suggested_category", "建议类别"),
                ("risk", "风险类型"),
            ]
        ]
    )
)
@extend_schema(tags=["动态监测"])
class LeadViewSet(viewsets.ReadOnlyModelViewSet):
    """预警线索：只返回所辖区划内的户。"""

    serializer_class = LeadSerializer

    def get_queryset(self):
        return lead_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return lead_get(user=self.request.user, lead_id=int(self.kwargs["pk"]))


@extend_schema(tags=["动态监测"])
class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """月度监测批次。"""

    serializer_class = RunSerializer

    def get_queryset(self):
        return run_list(user=self.request.user)

    def get_object(self):
        return run_get(user=self.request.user, run_id=int(self.kwargs["pk"]))


@extend_schema(tags=["动态监测"])
class PolicyViewSet(viewsets.ReadOnlyModelViewSet):
    """监测政策设置（按省、年度，含历史版本）。"""

    serializer_class = PolicySerializer

    def get_queryset(self):
        return policy_list(user=self.request.user)

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from fanpin.core.health import health_finding
from fanpin.quality.models import Finding, QualityRun
from fanpin.quality.selectors import finding_get, finding_list, run_get, run_list


class QualityRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualityRun
        fields = [
            "id",
            "source",
            "area_code",
            "file_name",
            "as_of",
            "engine",
            "status",
            "counts",
            "score",
            "message",
            "created_at",
            "finished_at",
        ]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "run",
            "household",
            "household_code",
            "village_code",
            "code",
            "level",
            "message",
            "fields",
            "row",
            "member_name",
            "value",
            "exempted",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["message"], data["value"] = health_finding(
            instance.fields, data["message"], data["value"], request and request.user
        )
        return data


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("area", str, description="区划代码")]))
@extend_schema(tags=["数据质量"])
class QualityRunViewSet(viewsets.ReadOnlyModelViewSet):
    """数据质量校验：只返回所辖区划内的校验。"""

    serializer_class = QualityRunSerializer

    def get_queryset(self):
        return run_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return run_get(user=self.request.user, run_id=int(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(n, str, description=d)
            for n, d in [
                ("run", "校验编号"),
                ("village", "村（或乡镇）代码"),
                ("level", "error 或 warning"),
                ("code", "规则编号"),
                ("household", "户编号"),
            ]
        ]
    )
)
@extend_schema(tags=["数据质量"])
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """校验发现：所辖区划内的校验的发现。"""

    serializer_class = FindingSerializer

    def get_queryset(self):
        return finding_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return finding_get(user=self.request.user, finding_id=int(self.kwargs["pk"]))

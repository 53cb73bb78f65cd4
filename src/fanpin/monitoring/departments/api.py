from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from fanpin.monitoring.departments.selectors import batch_get, batch_list
from fanpin.monitoring.models import DepartmentBatch


class DepartmentBatchSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="get_source_display", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DepartmentBatch
        fields = [
            "id",
            "source",
            "source_name",
            "file_name",
            "sha256",
            "area_code",
            "year",
            "month",
            "status",
            "status_name",
            "counts",
            "message",
            "created_at",
            "matched_at",
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("source", str, description="来源：medical civil education …"),
            OpenApiParameter("area", str, description="区划代码"),
        ]
    )
)
@extend_schema(tags=["动态监测"])
class DepartmentBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """部门数据批次：只返回所辖区划内的批次。"""

    serializer_class = DepartmentBatchSerializer

    def get_queryset(self):
        return batch_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return batch_get(user=self.request.user, batch_id=int(self.kwargs["pk"]))

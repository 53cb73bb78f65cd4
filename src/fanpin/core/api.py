from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from fanpin.core.models import Job
from fanpin.core.selectors import job_get, job_list


class JobSerializer(serializers.ModelSerializer):
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "status_name",
            "percent",
            "progress_done",
            "progress_total",
            "counts",
            "log",
            "error",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]


@extend_schema(tags=["后台任务"])
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """后台任务的状态与进度：本人发起的及所辖区划内的任务。"""

    serializer_class = JobSerializer

    def get_queryset(self):
        return job_list(user=self.request.user)

    def get_object(self):
        return job_get(user=self.request.user, job_id=int(self.kwargs["pk"]))

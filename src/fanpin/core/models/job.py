from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """后台任务: a unit of background work with progress, counts and a log.

    Queued in the database (no broker). `fanpin worker` (or the demo server) claims queued jobs.
    """

    kind = models.CharField("任务类型", max_length=80, db_index=True)
    title = models.CharField("标题", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    area_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    progress_done = models.PositiveBigIntegerField("已处理", default=0)
    progress_total = models.PositiveBigIntegerField("总数", default=0)
    counts = models.JSONField("统计", default=dict, blank=True)
    log = models.TextField("日志", blank=True)
    error = models.TextField("错误", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    worker = models.CharField("执行者", max_length=100, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

from django.db import models


class RunSource(models.TextChoices):
    REGISTRY = "registry", "系统内农户档案"
    UPLOAD = "upload", "上传的国家系统导出文件（不导入）"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Level(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "提示"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    REVOKED = "revoked", "已撤销"


# Findings of the national-format reader itself (format and code-table errors of an uploaded file).
FORMAT_CODE = "FMT"
# The quality score: households with an error finding count fully, households with only warnings
# count WARNING_WEIGHT; see docs/quality.md.
WARNING_WEIGHT = "0.2"

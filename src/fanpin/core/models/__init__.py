from fanpin.core.models.audit import AuditEvent
from fanpin.core.models.job import Job

__all__ = ["AuditEvent", "Job"]

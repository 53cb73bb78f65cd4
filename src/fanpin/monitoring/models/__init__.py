from fanpin.monitoring.models.department import (
    DepartmentBatch,
    DepartmentBatchStatus,
    DepartmentIssue,
    DepartmentRecord,
)
from fanpin.monitoring.models.lead import Lead
from fanpin.monitoring.models.policy import PolicySetting
from fanpin.monitoring.models.run import MonitoringRun
from fanpin.monitoring.models.snapshot import HouseholdSnapshot

__all__ = [
    "DepartmentBatch",
    "DepartmentBatchStatus",
    "DepartmentIssue",
    "DepartmentRecord",
    "HouseholdSnapshot",
    "Lead",
    "MonitoringRun",
    "PolicySetting",
]

from fanpin.monitoring.models.lead import Lead
from fanpin.monitoring.models.policy import PolicySetting
from fanpin.monitoring.models.run import MonitoringRun
from fanpin.monitoring.models.snapshot import HouseholdSnapshot

__all__ = ["HouseholdSnapshot", "Lead", "MonitoringRun", "PolicySetting"]

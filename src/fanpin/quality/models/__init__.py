from fanpin.quality.models.exemption import Exemption
from fanpin.quality.models.run import AreaScore, Finding, QualityRun

__all__ = ["AreaScore", "Exemption", "Finding", "QualityRun"]

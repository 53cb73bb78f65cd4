from fanpin.reports.models.rollup import Rollup

__all__ = ["Rollup"]

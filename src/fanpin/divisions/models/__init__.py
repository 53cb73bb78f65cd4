from fanpin.divisions.models.division import Division

__all__ = ["Division"]

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "fanpin.quality"
    verbose_name = "数据质量"

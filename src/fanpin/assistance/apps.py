from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fanpin.assistance"
    verbose_name = "帮扶"

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fanpin.monitoring"
    verbose_name = "动态监测"

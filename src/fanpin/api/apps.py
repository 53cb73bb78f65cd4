from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fanpin.api"
    verbose_name = "接口"

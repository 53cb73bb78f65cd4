from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fanpin.registry"
    verbose_name = "农户档案"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fanpin.registry"
    verbose_name = "农户档案"

    def ready(self) -> None:
        from fanpin.registry.national import jobs  # noqa: F401 — registers the import job kinds

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanpin.core"
    verbose_name = "系统核心"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")  # registers every app's job kinds
        from fanpin.core import checks  # noqa: F401 — the encryption-key check

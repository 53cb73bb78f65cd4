from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "fanpin.ledgers"
    verbose_name = "巩固衔接台账"

    def ready(self) -> None:
        from fanpin.ledgers import tasks  # noqa: F401 — registers the import job kinds

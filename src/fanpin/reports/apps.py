from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fanpin.reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from fanpin.reports import tasks  # noqa: F401 — registers the rollup job kind

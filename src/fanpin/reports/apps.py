from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fanpin.reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from fanpin.reports import signals, tasks  # noqa: F401 — tasks registers the rollup job kind

        signals.connect()

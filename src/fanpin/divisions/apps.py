from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "fanpin.divisions"
    verbose_name = "行政区划"

from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "fanpin.ledgers"
    verbose_name = "巩固衔接台账"

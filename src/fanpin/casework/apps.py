from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "fanpin.casework"
    verbose_name = "识别纳入与风险消除"

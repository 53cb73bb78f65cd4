"""Settings for the benchmarks in bench/: the app's settings plus django-import-export (the `bench`
extra), which the app itself does not use."""

from fanpin.settings.base import *  # noqa: F403
from fanpin.settings.base import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]

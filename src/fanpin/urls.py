from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("fanpin.accounts.urls")),
    path("divisions/", include("fanpin.divisions.urls")),
    path("households/", include("fanpin.registry.urls")),
    path("monitoring/", include("fanpin.monitoring.urls")),
    path("assistance/", include("fanpin.assistance.urls")),
    path("cases/", include("fanpin.casework.urls")),
    path("reports/", include("fanpin.reports.urls")),
    path("ledgers/", include("fanpin.ledgers.urls")),
    path("quality/", include("fanpin.quality.urls")),
    path("api/", include("fanpin.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("fanpin.core.urls")),
]

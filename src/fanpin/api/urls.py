from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from fanpin.accounts.api import MeView
from fanpin.core.api import JobViewSet
from fanpin.divisions.api import DivisionViewSet

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("jobs", JobViewSet, basename="job")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

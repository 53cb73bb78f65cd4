from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from fanpin.accounts.api import MeView
from fanpin.core.api import JobViewSet
from fanpin.divisions.api import DivisionViewSet
from fanpin.monitoring.api import LeadViewSet, PolicyViewSet, RunViewSet
from fanpin.monitoring.departments.api import DepartmentBatchViewSet
from fanpin.quality.api import FindingViewSet, QualityRunViewSet
from fanpin.registry.api import HouseholdMemberCreate, HouseholdViewSet, IncomeViewSet, MemberViewSet

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("jobs", JobViewSet, basename="job")
router.register("households", HouseholdViewSet, basename="household")
router.register(
    r"households/(?P<household_id>\d+)/members", HouseholdMemberCreate, basename="household-member"
)
router.register("members", MemberViewSet, basename="member")
router.register("incomes", IncomeViewSet, basename="income")
router.register("leads", LeadViewSet, basename="lead")
router.register("monitoring-runs", RunViewSet, basename="monitoring-run")
router.register("policies", PolicyViewSet, basename="policy")
router.register("department-batches", DepartmentBatchViewSet, basename="department-batch")
router.register("quality-runs", QualityRunViewSet, basename="quality-run")
router.register("quality-findings", FindingViewSet, basename="quality-finding")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

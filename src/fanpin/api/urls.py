from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from fanpin.accounts.api import MeView
from fanpin.assistance.api import (
    CoverageView,
    MeasureItemViewSet,
    MeasureViewSet,
    PersonViewSet,
    PlanViewSet,
    UnitViewSet,
    VisitViewSet,
)
from fanpin.casework.api import CaseViewSet
from fanpin.core.api import JobViewSet
from fanpin.divisions.api import DivisionViewSet
from fanpin.ledgers.api import register as register_ledgers
from fanpin.monitoring.api import LeadViewSet, PolicyViewSet, RunViewSet
from fanpin.monitoring.departments.api import DepartmentBatchViewSet
from fanpin.quality.api import FindingViewSet, QualityRunViewSet
from fanpin.registry.api import HouseholdMemberCreate, HouseholdViewSet, IncomeViewSet, MemberViewSet
from fanpin.reports.api import IndicatorViewSet


class NumericLookupRouter(DefaultRouter):
    """Object ids in API paths are numbers (division codes too): any other text is 404 before a view
    runs, unless a viewset says otherwise with `lookup_value_regex`."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        lookup_value = getattr(viewset, "lookup_value_regex", "[0-9]+")
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"


router = NumericLookupRouter()
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
router.register("measure-items", MeasureItemViewSet, basename="measure-item")
router.register("responsible-units", UnitViewSet, basename="responsible-unit")
router.register("responsible-persons", PersonViewSet, basename="responsible-person")
router.register("measures", MeasureViewSet, basename="measure")
router.register("plans", PlanViewSet, basename="plan")
router.register("visits", VisitViewSet, basename="visit")
router.register("cases", CaseViewSet, basename="case")
router.register("indicators", IndicatorViewSet, basename="indicator")
register_ledgers(router)
router.register("quality-runs", QualityRunViewSet, basename="quality-run")
router.register("quality-findings", FindingViewSet, basename="quality-finding")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("visit-coverage/", CoverageView.as_view(), name="visit-coverage"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]

"""Permission-matrix rules of the reports app (collected by core/tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from fanpin.accounts.choices import Permission
from fanpin.core.tests.permissions_support import Ctx, Rule, url
from fanpin.reports.services.rollup import rollup_compute


def setup(ctx: Ctx) -> None:
    """Rollups for the user's area and for the outside village (each has one household)."""
    rollup_compute(actor="测试", area_code=ctx.area, months=[(2025, 6)])
    rollup_compute(actor="测试", area_code=ctx.outside, months=[(2025, 6)])


def _month(name: str):
    return lambda c, code=None: reverse(name, kwargs={"code": code or c.area}) + "?month=2025-06"


RULES = {
    "reports:overview": Rule("get", url("reports:overview"), ok=(302,)),
    "reports:area": Rule(
        "get",
        _month("reports:area"),
        lambda c: reverse("reports:area", kwargs={"code": c.outside}),
        leak_probe=_month("reports:area"),
    ),
    "reports:area_xlsx": Rule(
        "get", _month("reports:area_xlsx"), lambda c: reverse("reports:area_xlsx", kwargs={"code": c.outside})
    ),
    "reports:area_pdf": Rule(
        "get", _month("reports:area_pdf"), lambda c: reverse("reports:area_pdf", kwargs={"code": c.outside})
    ),
    "reports:rollup_new": Rule(
        "post",
        url("reports:rollup_new", code=lambda c: c.area),
        url("reports:rollup_new", code=lambda c: c.outside),
        permission=Permission.RUN_MONITORING,
        ok=(302,),
    ),
    "reports:map": Rule(
        "get",
        url("reports:map", code=lambda c: c.area),
        url("reports:map", code=lambda c: c.outside[:4] if c.outside.startswith("14") else c.outside[:2]),
    ),
    "reports:household_plan_pdf": Rule(
        "get",
        url("reports:household_plan_pdf", household_id=lambda c: c.household_inside),
        url("reports:household_plan_pdf", household_id=lambda c: c.household_outside),
    ),
    "reports:household_visit_form": Rule(
        "get",
        url("reports:household_visit_form", household_id=lambda c: c.household_inside),
        url("reports:household_visit_form", household_id=lambda c: c.household_outside),
    ),
    "api:indicator-list": Rule(
        "get",
        lambda c: reverse("api:indicator-list") + f"?area={c.area}",
        api=True,
        leak_probe=lambda c: reverse("api:indicator-list") + f"?area={c.outside}",
    ),
}

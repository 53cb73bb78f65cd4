"""Permission-matrix rules of the data-quality pages and API (collected by core's matrix test)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from fanpin.accounts.choices import Permission
from fanpin.core.tests.permissions_support import OUTSIDE_MARKER, Ctx, Rule, url
from fanpin.quality.models import Exemption, Finding, QualityRun
from fanpin.registry.models import Household


def setup(ctx: Ctx) -> None:
    for where, area, household_id, tag in (
        ("inside", ctx.area, ctx.household_inside, "区内"),
        ("outside", ctx.outside, ctx.household_outside, OUTSIDE_MARKER),
    ):
        household = Household.objects.get(pk=household_id)
        run = QualityRun.objects.create(
            source="upload",
            area_code=area,
            file_name=f"{tag}.xlsx",
            as_of=date(2025, 6, 30),
            status="done",
            counts={"households": 1, "errors": 1, "warnings": 0},
            score="0.0",
        )
        finding = Finding.objects.create(
            run=run,
            household=household,
            household_code=household.code,
            village_code=household.village_id,
            township_code=household.township_code,
            code="CT01",
            level="error",
            message=f"监测户没有户联系电话（{tag}）",
            fields=["户联系电话"],
            row=4,
        )
        exemption = Exemption.objects.create(
            household=household, village_code=household.village_id, code="CT01", reason=f"测试{tag}"
        )
        ctx.extra[f"quality_run_{where}"] = run.pk
        ctx.extra[f"quality_finding_{where}"] = finding.pk
        ctx.extra[f"quality_exemption_{where}"] = exemption.pk


def _x(key):
    return lambda c: c.extra.get(key, 1)  # 1 for the anonymous test, which runs no setup


RULES = {
    "quality:run_list": Rule("get", url("quality:run_list"), leak_probe=url("quality:run_list")),
    "quality:rules": Rule("get", url("quality:rules")),
    "quality:run_detail": Rule(
        "get",
        url("quality:run_detail", run_id=_x("quality_run_inside")),
        url("quality:run_detail", run_id=_x("quality_run_outside")),
    ),
    "quality:run_download": Rule(
        "get",
        url("quality:run_download", run_id=_x("quality_run_inside")),
        url("quality:run_download", run_id=_x("quality_run_outside")),
    ),
    "quality:exemption_new": Rule(
        "get",
        url("quality:exemption_new", finding_id=_x("quality_finding_inside")),
        url("quality:exemption_new", finding_id=_x("quality_finding_outside")),
        permission=Permission.EDIT,
    ),
    "quality:exemption_list": Rule(
        "get",
        url("quality:exemption_list"),
        leak_probe=lambda c: reverse("quality:exemption_list") + "?status=all",
    ),
    "quality:exemption_decide": Rule(
        "post",
        url("quality:exemption_decide", exemption_id=_x("quality_exemption_inside")),
        url("quality:exemption_decide", exemption_id=_x("quality_exemption_outside")),
        permission=Permission.DECIDE_EXEMPTION,
        ok=(302,),
        data=lambda c, w: {"status": "approved", "note": "同意"},
    ),
    "api:quality-run-list": Rule(
        "get",
        url("api:quality-run-list"),
        api=True,
        leak_probe=lambda c: reverse("api:quality-run-list") + f"?area={c.outside[:6]}",
    ),
    "api:quality-run-detail": Rule(
        "get",
        url("api:quality-run-detail", pk=_x("quality_run_inside")),
        url("api:quality-run-detail", pk=_x("quality_run_outside")),
        api=True,
    ),
    "api:quality-finding-list": Rule(
        "get",
        url("api:quality-finding-list"),
        api=True,
        leak_probe=lambda c: reverse("api:quality-finding-list") + f"?village={c.outside[:6]}",
    ),
    "api:quality-finding-detail": Rule(
        "get",
        url("api:quality-finding-detail", pk=_x("quality_finding_inside")),
        url("api:quality-finding-detail", pk=_x("quality_finding_outside")),
        api=True,
    ),
}

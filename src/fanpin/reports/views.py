from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.permissions import requires
from fanpin.divisions.choices import Level
from fanpin.reports import selectors
from fanpin.reports.exports import report_pdf, report_xlsx
from fanpin.reports.geo import map_bytes
from fanpin.reports.indicators import INDICATORS, MAP_DEFAULT, available, pending
from fanpin.reports.report import TREND_KEYS, area_report, plain
from fanpin.reports.services.requests import rollup_request
from fanpin.reports.services.rollup import last_months


@requires(Permission.VIEW)
def overview(request):
    """Start at the working area (当前区划), which is always inside the user's own area."""
    area = current_area(request)
    code = area.code if area is not None else selectors.report_root(user=request.user)
    if not code:
        raise Http404("没有可查看的区划")
    return redirect("reports:area", code=code)


def _chart_data(request, report) -> dict:
    indicator = request.GET.get("indicator") or MAP_DEFAULT
    if indicator not in INDICATORS or not INDICATORS[indicator].available:
        indicator = MAP_DEFAULT
    d = report.division
    month = report.month_label
    data: dict = {
        "area": d.code,
        "level": d.level,
        "month": month,
        "indicator": indicator,
        "indicator_name": INDICATORS[indicator].name,
        "unit": INDICATORS[indicator].unit,
        "children": [
            {
                "code": n.code,
                "name": n.name,
                "value": plain(n.value(indicator)),
                "url": reverse("reports:area", kwargs={"code": n.code})
                + f"?month={month}&indicator={indicator}",
            }
            for n in report.children
        ],
        "categories": [{"name": k, "value": plain(v) or 0} for k, v in report.categories()],
        "risks": [{"name": k, "value": plain(v) or 0} for k, v in report.risks()],
        "trend": {
            k: ([plain(x) for x in v] if k != "months" else v)
            for k, v in selectors.trend(user=request.user, area_code=d.code, keys=TREND_KEYS).items()
        },
        "trend_names": {k: INDICATORS[k].name for k in TREND_KEYS},
        "map": None,
    }
    if report.year and d.level in (Level.PROVINCE, Level.CITY):
        data["map"] = {
            "url": reverse("reports:map", kwargs={"code": d.code}),
            "values": [
                {
                    "name": n.code,
                    "cname": n.name,
                    "value": plain(n.value(indicator)),
                    "url": reverse("reports:area", kwargs={"code": n.code})
                    + f"?month={month}&indicator={indicator}",
                }
                for n in selectors.county_values(
                    user=request.user, division=d, year=report.year, month=report.month, indicator=indicator
                )
            ],
        }
    return data


@requires(Permission.VIEW)
def area(request, code: str):
    report = area_report(user=request.user, code=code, month=request.GET.get("month"))
    chart = _chart_data(request, report)
    return render(
        request,
        "reports/area.html",
        {
            "report": report,
            "chart": chart,
            "indicator": chart["indicator"],
            "map_indicators": [d for d in available() if d.unit != "元/人·年"],
            "pending": pending(),
            "child_level": selectors.child_level_name(report.division),
            "can_rollup": request.user.has_role_permission(Permission.RUN_MONITORING),
        },
    )


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@requires(Permission.VIEW)
def area_xlsx(request, code: str):
    report = area_report(user=request.user, code=code, month=request.GET.get("month"))
    if not report.has_data:
        raise Http404("该区划还没有指标汇总")
    return _download(
        report_xlsx(report),
        f"{report.division.name}{report.month_label}指标.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@requires(Permission.VIEW)
def area_pdf(request, code: str):
    report = area_report(user=request.user, code=code, month=request.GET.get("month"))
    if not report.has_data:
        raise Http404("该区划还没有指标汇总")
    return _download(
        report_pdf(report, user=request.user),
        f"{report.division.name}{report.month_label}月报.pdf",
        "application/pdf",
    )


@requires(Permission.VIEW)
def map_geojson(request, code: str):
    """County shapes of the province, a city, or the county an area lies in (built once per process; the
    browser caches it a day)."""
    selectors.report_area(user=request.user, code=code)
    body, gz = map_bytes(code[:6])
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(gz if gzip_ok else body, content_type="application/geo+json")
    if gzip_ok:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, private=True, max_age=86400)
    return response


@require_POST
@requires(Permission.RUN_MONITORING)
def rollup_new(request, code: str):
    division = selectors.report_area(user=request.user, code=code)
    try:
        job = rollup_request(actor=request.user, area_code=division.code, months=last_months(12))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:area", code=division.code)
    except PermissionDenied:
        raise
    return redirect("core:job_detail", job_id=job.pk)


@requires(Permission.VIEW)
def household_plan_pdf(request, household_id: int):
    from fanpin.reports.household_pdfs import plan_pdf

    data, filename = plan_pdf(user=request.user, household_id=household_id)
    return _download(data, filename, "application/pdf")


@requires(Permission.VIEW)
def household_visit_form_pdf(request, household_id: int):
    from fanpin.reports.household_pdfs import visit_form_pdf

    data, filename = visit_form_pdf(user=request.user, household_id=household_id)
    return _download(data, filename, "application/pdf")

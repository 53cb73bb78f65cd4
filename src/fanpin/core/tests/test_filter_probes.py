"""Another area's data asked for by filter: every list page, export and API list × every query parameter
that names an area or an object, given a value from outside the user's area.

The parameters are not listed by hand: they are read from the code (what views and selectors take from
the query string), from the filter forms and from the OpenAPI schema. Each one is either an area
parameter, an object parameter (with the outside objects to try) or a plain one (a month, a status…);
a new parameter that is none of these fails `test_every_query_parameter_is_classified`, so it cannot
escape the probe. The endpoints are the permission matrix's GET rules without an object in the path
(lists, indexes, exports); objects in the path are the matrix's outside-404 checks.

A probe passes when the answer is refused (400/404) or carries nothing of the outside area: no outside
household (code or head's name), no object marked OUTSIDE, no outside division code — read in the page,
the JSON, every cell of an .xlsx and the text of a PDF.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest
from django import forms

import fanpin
from fanpin.accounts.choices import Role
from fanpin.core.tests.permissions_support import OUTSIDE_MARKER, Ctx, body_text
from fanpin.core.tests.test_permission_matrix import (  # noqa: F401  (other_province is a fixture)
    RULES,
    _ctx,
    other_province,
)

_READS = re.compile(
    r'(?:\.GET|query_params|filters|params)\.get\(\s*"([a-z_]+)"'
    r'|\.GET\[\s*"([a-z_]+)"\]'
    r'|(?<![\w.])f\.get\(\s*"([a-z_]+)"'
)


def _code_parameters() -> set[str]:
    root = Path(fanpin.__file__).parent
    names: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in _READS.finditer(path.read_text(encoding="utf-8")):
            names.add(next(g for g in match.groups() if g))
    return names


def _form_parameters() -> set[str]:
    from django.apps import apps

    names: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("fanpin."):
            continue
        for module_name in (f"{config.name}.forms", f"{config.name}.departments.forms"):
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for class_name, cls in inspect.getmembers(module, inspect.isclass):
                if "Filter" in class_name and issubclass(cls, forms.Form):
                    names |= set(cls.base_fields)
    return names


def _schema_parameters() -> set[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        p["name"]
        for ops in schema["paths"].values()
        for op in ops.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p.get("in") == "query"
    }


# Parameters that name an area (a division code or a part of one, or text searched in codes and names).
AREA_PARAMETERS = {"area", "village", "parent", "code", "place", "q"}


def _outside_ids(ctx: Ctx, *keys: str) -> list:
    values = [getattr(ctx, k, None) or ctx.extra.get(k) for k in keys]
    return [v for v in values if v]


def _outside_units(ctx: Ctx) -> list:
    from fanpin.assistance.models import ResponsibleUnit

    return list(ResponsibleUnit.objects.filter(area_code=ctx.outside).values_list("pk", flat=True)[:2])


def _outside_household_code(ctx: Ctx) -> list:
    from fanpin.registry.models import Household

    return [Household.objects.get(pk=ctx.household_outside).code]


# Parameters that name an object, and the outside objects to try for each.
OBJECT_PARAMETERS = {
    "household": lambda c: _outside_ids(c, "household_outside"),
    "lead": lambda c: _outside_ids(c, "lead_outside"),
    "batch": lambda c: _outside_ids(c, "batch_outside", "department_outside", "import_outside"),
    "run": lambda c: _outside_ids(c, "run_outside", "quality_run_outside"),
    "unit": _outside_units,
    "object": _outside_household_code,
}

# Parameters that name neither (periods, states, kinds, amounts, paging, switches).
PLAIN_PARAMETERS = {
    "action",
    "active",
    "active_only",
    "actor",
    "asset_class",
    "by",
    "category",
    "channel",
    "children",
    "current",
    "disposal",
    "end",
    "engine",
    "flag",
    "household_type",
    "in_annual_plan",
    "income_max",
    "income_min",
    "indicator",
    "kind",
    "level",
    "month",
    "months",
    "next",
    "on",
    "overdue",
    "owner_type",
    "page",
    "pending",
    "post_type",
    "replace",
    "risk",
    "role",
    "rule",
    "source",
    "start",
    "state",
    "status",
    "step",
    "suggested_category",
    "threshold",
    "unvisited",
    "use",
    "year",
}

PARAMETERS = sorted(_code_parameters() | _form_parameters() | _schema_parameters())
PROBED = [p for p in PARAMETERS if p in AREA_PARAMETERS or p in OBJECT_PARAMETERS]
# GET endpoints without an object in the path: lists, indexes, dashboards, exports.
ENDPOINTS = sorted(
    name
    for name, rule in RULES.items()
    if rule.method == "get"
    and rule.outside is None
    and not rule.public
    and not name.startswith("api:docs")
    and name not in ("api:schema", "api:api-root", "accounts:logout")
)
# One account at each level that restricts differently (scope.HOUSEHOLD_CODE_FIELDS: province, county,
# township and village codes); the matrix's leak probes cover every role.
ROLE_AREAS = [
    (Role.PROVINCE, "14"),
    (Role.COUNTY, "140321"),
    (Role.TOWNSHIP, "140321201"),
    (Role.VILLAGE, "140321201249"),
]


def test_every_query_parameter_is_classified():
    unknown = sorted(set(PARAMETERS) - AREA_PARAMETERS - set(OBJECT_PARAMETERS) - PLAIN_PARAMETERS)
    assert not unknown, (
        f"query parameters read by views, filter forms or the API schema but not classified here: {unknown}. "
        "Add each to AREA_PARAMETERS, OBJECT_PARAMETERS (with the outside objects to try) or PLAIN_PARAMETERS."
    )
    # The discovery itself works: parameters known to exist are found.
    assert {"area", "household", "village", "q", "batch", "lead"} <= set(PARAMETERS)
    assert len(ENDPOINTS) > 40


def test_the_leak_check_sees_a_leak_and_ignores_echoes():
    ctx = Ctx(user=None, area="140321", outside="140105001001", job_inside=1, job_outside=2)
    asked = ["140105", "140105001001OUT0007", "OUT户主", "7"]
    echoes = (
        '<input name="area" value="140105"> <a href="?object=140105001001OUT0007&page=2">下一页</a>'
        ' {"next": "/x/?q\\u003DOUT户主"} 说明：对象=140105001001OUT0007；区划=140105'
    )
    assert _leaks(echoes, ctx, asked) == []
    assert _leaks("<td>140105001001OUT0007</td>", ctx, asked) == [
        "an outside household code",
        "the outside code 140105",
    ]
    assert _leaks("<td>OUT户主</td>", ctx, asked) == ["an outside household head"]
    assert _leaks(f"<td>{OUTSIDE_MARKER}</td>", ctx, asked) == ["an object marked outside"]
    assert _leaks("区划 140105001", ctx, asked) == ["the outside code 140105"]


def _values(ctx: Ctx, name: str) -> list[str]:
    if name in AREA_PARAMETERS:
        values = [ctx.outside[:6], ctx.outside[:9], ctx.outside]
        return values + (["OUT户主"] if name == "q" else [])
    return [str(v) for v in OBJECT_PARAMETERS[name](ctx)]


def _leaks(body: str, ctx: Ctx, asked: list[str]) -> list[str]:
    # What this test asked for is shown back where a value is written: in the filter form's fields and
    # links (value="…", ?q=…, the area switcher's "next" URL as JSON: \u003D, quality's "只看 <village>") and in the audit log, which records the filters of each export
    # (对象=…). Only those echoes are removed; the same text anywhere else is a leak.
    for value in sorted(set(asked), key=len, reverse=True):
        body = re.sub(
            r'(value="|=|\\u003D|只看 )' + re.escape(value) + r'(?=["&\s;；，<]|$)', r"\1", body, flags=re.M
        )
    found = []
    if "OUT户主" in body:
        found.append("an outside household head")
    if re.search(r"\d{12}OUT\d{4}", body):
        found.append("an outside household code")
    if OUTSIDE_MARKER in body:
        found.append("an object marked outside")
    if ctx.outside[:6] in body.replace(ctx.area, ""):
        found.append(f"the outside code {ctx.outside[:6]}")
    return found


@pytest.mark.usefixtures("other_province")
@pytest.mark.parametrize("role,area", ROLE_AREAS, ids=[f"{r}@{a}" for r, a in ROLE_AREAS])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_outside_values_in_filters_bring_nothing_back(client, make_user, role, area, name):
    _probe(client, make_user, role, area, name)


# GET endpoints with an inside object in the path (detail pages, a run's findings, a report of an area,
# downloads): the same parameters with outside values must not pull outside data into them either.
OBJECT_ENDPOINTS = sorted(
    name
    for name, rule in RULES.items()
    if rule.method == "get" and rule.outside is not None and not rule.public
)


@pytest.mark.usefixtures("other_province")
@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_outside_values_on_object_pages_bring_nothing_back(client, make_user, name):
    _probe(client, make_user, Role.COUNTY, "140321", name)


def _probe(client, make_user, role, area, name):
    rule = RULES[name]
    user = make_user(role, area)
    if rule.permission is not None and not user.has_role_permission(rule.permission):
        pytest.skip(f"{role} may not use {name} (the matrix checks the 403)")
    ctx = _ctx(user, area)
    client.force_login(user)
    base = rule.inside(ctx)
    accept = rule.accept or ("application/json" if rule.api else "text/html")
    problems = []
    asked: list[str] = []
    for parameter in PROBED:
        for value in _values(ctx, parameter):
            asked.append(value)
            probe = f"{base}{'&' if '?' in base else '?'}{parameter}={value}"
            response = client.get(probe, HTTP_ACCEPT=accept)
            if response.status_code in (400, 404):
                continue  # refused: nothing came back
            if response.status_code not in rule.ok + (200,):
                problems.append(f"{probe}: HTTP {response.status_code}")
                continue
            body = body_text(response)
            if rule.api and body.startswith("{") and parameter in OBJECT_PARAMETERS:
                data = json.loads(body)
                results = data.get("results") if isinstance(data, dict) else None
                if isinstance(results, list):
                    body = json.dumps(results, ensure_ascii=False)
            for leak in _leaks(body, ctx, asked):
                problems.append(f"{probe}: {leak}")
    assert not problems, f"{name} for {role}@{area}:\n" + "\n".join(problems[:20])

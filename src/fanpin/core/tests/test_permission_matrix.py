"""The permission matrix: every URL in the URL configuration × every role × inside/outside the user's area.

The endpoint table below must name every URL pattern (the first test fails for a new endpoint that
has no rule). Each rule says what a user must get for an object inside their area, for one outside
it (never found: 404), and whether the role's permission is needed. List endpoints are also asked
for data of another area, by filter, and must return none of it.

The rules of core, registry and monitoring are below; later apps keep theirs in
`fanpin/<app>/tests/permission_rules.py` (see permissions_support.py), collected here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fanpin.accounts.choices import Permission, Role
from fanpin.core.jobs import job_enqueue
from fanpin.core.models import Job
from fanpin.core.tests.permissions_support import (
    OUTSIDE_MARKER,
    ROLE_AREAS,
    SEQ,
    Ctx,
    Rule,
    body_text,
    make_household,
    outside_code,
    url,
)
from fanpin.divisions.services.load import divisions_load
from fanpin.monitoring.models import DepartmentBatch, Lead, MonitoringRun, PolicySetting
from fanpin.registry import idnumber
from fanpin.registry.models import ImportBatch

_url = url


def _member_post(ctx: Ctx, where: str) -> dict:
    n = next(_SEQ)
    return {
        "name": "新成员",
        "relation": "之子",
        "id_number": idnumber.make("140321", date(2001, 2, 3), n % 1000),
    }


RULES: dict[str, Rule] = {
    "accounts:login": Rule("get", _url("accounts:login"), public=True, ok=(200, 302)),
    "accounts:logout": Rule("post", _url("accounts:logout"), ok=(302,)),
    "accounts:password_change": Rule("get", _url("accounts:password_change")),
    "accounts:profile": Rule("get", _url("accounts:profile")),
    "core:home": Rule("get", _url("core:home")),
    "core:job_list": Rule("get", _url("core:job_list"), leak_probe=_url("core:job_list")),
    "core:job_detail": Rule(
        "get",
        _url("core:job_detail", job_id=lambda c: c.job_inside),
        _url("core:job_detail", job_id=lambda c: c.job_outside),
    ),
    "core:audit_list": Rule(
        "get",
        _url("core:audit_list"),
        permission=Permission.VIEW_AUDIT,
        leak_probe=lambda c: reverse("core:audit_list") + f"?area={c.outside[:6]}",
    ),
    "core:audit_export": Rule(
        "get",
        _url("core:audit_export"),
        permission=Permission.VIEW_AUDIT,
        leak_probe=lambda c: reverse("core:audit_export") + f"?area={c.outside[:6]}",
    ),
    "core:area_switch": Rule(
        "post",
        _url("core:area_switch"),
        _url("core:area_switch"),
        ok=(302,),
        data=lambda ctx, where: {"code": ctx.area if where == "inside" else ctx.outside, "next": "/"},
    ),
    "divisions:index": Rule("get", _url("divisions:index"), ok=(302,)),
    "divisions:pick": Rule(
        "get",
        lambda c: reverse("divisions:pick") + f"?q={c.area}",
        leak_probe=lambda c: reverse("divisions:pick") + f"?q={c.outside[:6]}",
    ),
    "divisions:upload": Rule("get", _url("divisions:upload"), permission=Permission.MANAGE_DIVISIONS),
    "divisions:detail": Rule(
        "get",
        _url("divisions:detail", code=lambda c: c.area),
        _url("divisions:detail", code=lambda c: c.outside),
    ),
    "divisions:export": Rule(
        "get",
        _url("divisions:export", code=lambda c: c.area),
        _url("divisions:export", code=lambda c: c.outside),
    ),
    "api:api-root": Rule("get", _url("api:api-root"), api=True),
    "api:me": Rule("get", _url("api:me"), api=True),
    "api:schema": Rule("get", _url("api:schema"), api=True),
    "api:docs": Rule("get", _url("api:docs"), api=True, accept="text/html"),
    "api:division-list": Rule(
        "get",
        _url("api:division-list"),
        api=True,
        leak_probe=lambda c: reverse("api:division-list") + f"?parent={c.outside[:9]}&q={c.outside[:6]}",
    ),
    "api:division-detail": Rule(
        "get",
        _url("api:division-detail", code=lambda c: c.area),
        _url("api:division-detail", code=lambda c: c.outside),
        api=True,
    ),
    "api:job-list": Rule("get", _url("api:job-list"), api=True, leak_probe=_url("api:job-list")),
    "api:job-detail": Rule(
        "get",
        _url("api:job-detail", pk=lambda c: c.job_inside),
        _url("api:job-detail", pk=lambda c: c.job_outside),
        api=True,
    ),
    # Household registry (农户档案)
    "registry:household_list": Rule(
        "get",
        _url("registry:household_list"),
        leak_probe=lambda c: reverse("registry:household_list") + f"?area={c.outside[:6]}",
    ),
    "registry:household_detail": Rule(
        "get",
        _url("registry:household_detail", household_id=lambda c: c.household_inside),
        _url("registry:household_detail", household_id=lambda c: c.household_outside),
    ),
    "registry:household_edit": Rule(
        "get",
        _url("registry:household_edit", household_id=lambda c: c.household_inside),
        _url("registry:household_edit", household_id=lambda c: c.household_outside),
        permission=Permission.EDIT,
    ),
    "registry:household_new": Rule("get", _url("registry:household_new"), permission=Permission.EDIT),
    "registry:member_new": Rule(
        "get",
        _url("registry:member_new", household_id=lambda c: c.household_inside),
        _url("registry:member_new", household_id=lambda c: c.household_outside),
        permission=Permission.EDIT,
    ),
    "registry:member_edit": Rule(
        "get",
        _url("registry:member_edit", member_id=lambda c: c.member_inside),
        _url("registry:member_edit", member_id=lambda c: c.member_outside),
        permission=Permission.EDIT,
    ),
    "api:household-list": Rule(
        "get",
        _url("api:household-list"),
        api=True,
        leak_probe=lambda c: reverse("api:household-list") + f"?area={c.outside[:6]}",
    ),
    "api:household-detail": Rule(
        "get",
        _url("api:household-detail", pk=lambda c: c.household_inside),
        _url("api:household-detail", pk=lambda c: c.household_outside),
        api=True,
    ),
    "api:household-member-list": Rule(
        "post",
        _url("api:household-member-list", household_id=lambda c: c.household_inside),
        _url("api:household-member-list", household_id=lambda c: c.household_outside),
        permission=Permission.EDIT,
        ok=(201,),
        data=_member_post,
        api=True,
    ),
    "api:member-list": Rule(
        "get",
        _url("api:member-list"),
        api=True,
        leak_probe=lambda c: reverse("api:member-list") + f"?household={c.household_outside}",
    ),
    "api:member-detail": Rule(
        "get",
        _url("api:member-detail", pk=lambda c: c.member_inside),
        _url("api:member-detail", pk=lambda c: c.member_outside),
        api=True,
    ),
    "api:income-list": Rule(
        "get",
        _url("api:income-list"),
        api=True,
        leak_probe=lambda c: reverse("api:income-list") + f"?household={c.household_outside}",
    ),
    "api:income-detail": Rule(
        "get",
        _url("api:income-detail", pk=lambda c: c.income_inside),
        _url("api:income-detail", pk=lambda c: c.income_outside),
        api=True,
    ),
    # Imports and exports (导入导出)
    "registry:import_list": Rule(
        "get", _url("registry:import_list"), leak_probe=_url("registry:import_list")
    ),
    "registry:import_new": Rule("get", _url("registry:import_new"), permission=Permission.EDIT),
    "registry:import_detail": Rule(
        "get",
        _url("registry:import_detail", batch_id=lambda c: c.batch_inside),
        _url("registry:import_detail", batch_id=lambda c: c.batch_outside),
    ),
    "registry:import_errors": Rule(
        "get",
        _url("registry:import_errors", batch_id=lambda c: c.batch_inside),
        _url("registry:import_errors", batch_id=lambda c: c.batch_outside),
    ),
    "registry:import_cancel": Rule(
        "post",
        _url("registry:import_cancel", batch_id=lambda c: c.batch_inside),
        _url("registry:import_cancel", batch_id=lambda c: c.batch_outside),
        permission=Permission.EDIT,
        ok=(302,),
    ),
    "registry:import_merge": Rule(
        "post",
        _url("registry:import_merge", batch_id=lambda c: c.batch_inside),
        _url("registry:import_merge", batch_id=lambda c: c.batch_outside),
        permission=Permission.EDIT,
        ok=(302,),
        data=lambda c, w: {"mode": "valid"},
    ),
    # The national file holds full ID numbers (VIEW_PERSONAL) and health (VIEW_HEALTH); the roles with
    # VIEW_HEALTH all have VIEW_PERSONAL (test_health_roles_also_see_personal_data).
    "registry:export_new": Rule("get", _url("registry:export_new"), permission=Permission.VIEW_HEALTH),
    "registry:export_download": Rule(
        "get",
        _url("registry:export_download", job_id=lambda c: c.export_inside),
        _url("registry:export_download", job_id=lambda c: c.export_outside),
        permission=Permission.VIEW_HEALTH,
    ),
    "registry:household_reveal": Rule(
        "post",
        _url("registry:household_reveal", household_id=lambda c: c.household_inside),
        _url("registry:household_reveal", household_id=lambda c: c.household_outside),
        permission=Permission.VIEW_PERSONAL,
        data=lambda c, w: {"reason": "入户核实"},
    ),
    # Monitoring (动态监测)
    "monitoring:lead_list": Rule(
        "get",
        _url("monitoring:lead_list"),
        leak_probe=lambda c: reverse("monitoring:lead_list") + f"?area={c.outside[:6]}",
    ),
    "monitoring:lead_detail": Rule(
        "get",
        _url("monitoring:lead_detail", lead_id=lambda c: c.lead_inside),
        _url("monitoring:lead_detail", lead_id=lambda c: c.lead_outside),
    ),
    "monitoring:run_list": Rule("get", _url("monitoring:run_list"), leak_probe=_url("monitoring:run_list")),
    "monitoring:run_detail": Rule(
        "get",
        _url("monitoring:run_detail", run_id=lambda c: c.run_inside),
        _url("monitoring:run_detail", run_id=lambda c: c.run_outside),
    ),
    "monitoring:policies": Rule("get", _url("monitoring:policies")),
    "monitoring:what_if": Rule(
        "get",
        _url("monitoring:what_if"),
        leak_probe=lambda c: reverse("monitoring:what_if") + "?month=2025-06&threshold=99999",
    ),
    "api:lead-list": Rule(
        "get",
        _url("api:lead-list"),
        api=True,
        leak_probe=lambda c: reverse("api:lead-list") + f"?area={c.outside[:6]}",
    ),
    "api:lead-detail": Rule(
        "get",
        _url("api:lead-detail", pk=lambda c: c.lead_inside),
        _url("api:lead-detail", pk=lambda c: c.lead_outside),
        api=True,
    ),
    "api:monitoring-run-list": Rule("get", _url("api:monitoring-run-list"), api=True),
    "api:monitoring-run-detail": Rule(
        "get",
        _url("api:monitoring-run-detail", pk=lambda c: c.run_inside),
        _url("api:monitoring-run-detail", pk=lambda c: c.run_outside),
        api=True,
    ),
    "api:policy-list": Rule("get", _url("api:policy-list"), api=True),
    "api:policy-detail": Rule(
        "get",
        _url("api:policy-detail", pk=lambda c: c.policy_inside),
        _url("api:policy-detail", pk=lambda c: c.policy_outside),
        api=True,
    ),
    # Department data (部门数据)
    "monitoring:department_list": Rule(
        "get",
        _url("monitoring:department_list"),
        leak_probe=lambda c: reverse("monitoring:department_list") + f"?area={c.outside[:6]}",
    ),
    "monitoring:department_detail": Rule(
        "get",
        _url("monitoring:department_detail", batch_id=lambda c: c.department_inside),
        _url("monitoring:department_detail", batch_id=lambda c: c.department_outside),
    ),
    "monitoring:department_match": Rule(
        "post",
        _url("monitoring:department_match", batch_id=lambda c: c.department_inside),
        _url("monitoring:department_match", batch_id=lambda c: c.department_outside),
        permission=Permission.UPLOAD_DEPARTMENT_DATA,
        ok=(302,),
    ),
    "api:department-batch-list": Rule(
        "get",
        _url("api:department-batch-list"),
        api=True,
        leak_probe=lambda c: reverse("api:department-batch-list") + f"?area={c.outside[:6]}",
    ),
    "api:department-batch-detail": Rule(
        "get",
        _url("api:department-batch-detail", pk=lambda c: c.department_inside),
        _url("api:department-batch-detail", pk=lambda c: c.department_outside),
        api=True,
    ),
}


def _app_rule_modules():
    """Each installed fanpin app's `tests/permission_rules.py` (see permissions_support.py)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("fanpin."):
            continue
        if importlib.util.find_spec(f"{config.name}.tests") is None:
            continue
        name = f"{config.name}.tests.permission_rules"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


APP_RULE_MODULES = list(_app_rule_modules())
for _module in APP_RULE_MODULES:
    _clash = sorted(set(_module.RULES) & set(RULES))
    assert not _clash, f"{_module.__name__} repeats rules: {_clash}"
    RULES.update(_module.RULES)
# The Django admin is for system administrators (MANAGE_USERS); its views are covered as a namespace.
ADMIN_NAMESPACE = "admin"


def _url_names(patterns=None, namespace=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _url_names(p.url_patterns, full)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_endpoint_has_a_rule():
    names = set(_url_names())
    missing = sorted(n for n in names if n not in RULES and not (n or "").startswith(ADMIN_NAMESPACE + ":"))
    assert not missing, f"URL patterns without a permission rule: {missing}"
    assert None not in names, "every URL pattern must be named so it can be in the matrix"


@pytest.fixture
def other_province(db, tmp_path):
    rows = {
        "provinces.csv": "code,name\n99,测试省\n",
        "cities.csv": "code,name,provinceCode\n9901,测试市,99\n",
        "areas.csv": "code,name,cityCode,provinceCode\n990101,测试县,9901,99\n",
        "streets.csv": "code,name,areaCode,provinceCode,cityCode\n990101001,测试镇,990101,99,9901\n",
        "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n990101001001,测试村,990101001,99,9901,990101\n",
    }
    paths = []
    for name, text in rows.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    divisions_load(actor="测试", paths=paths)


_SEQ = SEQ
_household = make_household


def _ctx(user, area):
    from fanpin.divisions.models import Division

    outside = outside_code(area)
    inside_job = job_enqueue(kind="divisions.load", title="区内任务", params={"paths": []}, area_code=area)
    outside_job = job_enqueue(
        kind="divisions.load", title=OUTSIDE_MARKER, params={"paths": []}, area_code=outside
    )
    village = (
        "140321201249"
        if "140321201249".startswith(area)
        else (
            Division.objects.filter(level=5, code__startswith=area)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
    )
    hi, mi, ri = _household(village, "IN")
    ho, mo, ro = _household(outside, "OUT")
    batches, exports = [], []
    for code, tag in ((area, "区内"), (outside, OUTSIDE_MARKER)):
        folder = Path(tempfile.mkdtemp())
        (folder / "source.xlsx").write_bytes(b"")
        batches.append(
            ImportBatch.objects.create(
                kind="national",
                file_name=f"{tag}.xlsx",
                file_path=str(folder / "source.xlsx"),
                area_code=code,
                status="review",
                counts={"households": 1, "errors": 0, "valid_households": 1},
            ).pk
        )
        job = job_enqueue(kind="registry.export_national", title=tag, params={"area": code}, area_code=code)
        (folder / "export.xlsx").write_bytes(b"PK")
        Job.objects.filter(pk=job.pk).update(
            status="succeeded", result={"path": str(folder / "export.xlsx"), "file_name": f"{tag}.xlsx"}
        )
        exports.append(job.pk)
    shanxi = PolicySetting.objects.get(province_code="14", year=2023, version=1)
    other = PolicySetting.objects.create(
        province_code="99", year=2023, effective_from=date(2023, 1, 1), threshold=Decimal("6500")
    )
    runs = [
        MonitoringRun.objects.create(area_code=code, year=2025, month=6, policy=shanxi)
        for code in (area, outside)
    ]
    leads = [
        Lead.objects.create(
            household=h, year=2025, month=6, suggested_category="边缘易致贫户", reason=f"测试{h.code}"
        )
        for h in (hi, ho)
    ]
    departments = [
        DepartmentBatch.objects.create(
            source="housing",
            file_name=f"{tag}.csv",
            sha256=f"{code}-{next(_SEQ)}",
            area_code=code,
            year=2025,
            month=6,
            status="loaded",
            counts={"kept": 1, "unmatched": 0},
        )
        for code, tag in ((area, "区内"), (outside, OUTSIDE_MARKER))
    ]
    ctx = Ctx(
        department_inside=departments[0].pk,
        department_outside=departments[1].pk,
        lead_inside=leads[0].pk,
        lead_outside=leads[1].pk,
        run_inside=runs[0].pk,
        run_outside=runs[1].pk,
        policy_inside=shanxi.pk,
        policy_outside=other.pk,
        batch_inside=batches[0],
        batch_outside=batches[1],
        export_inside=exports[0],
        export_outside=exports[1],
        user=user,
        area=area,
        outside=outside,
        job_inside=inside_job.pk,
        job_outside=outside_job.pk,
        household_inside=hi.pk,
        household_outside=ho.pk,
        member_inside=mi.pk,
        member_outside=mo.pk,
        income_inside=ri.pk,
        income_outside=ro.pk,
    )
    for module in APP_RULE_MODULES:
        if hasattr(module, "setup"):
            module.setup(ctx)
    return ctx


def _call(client, rule: Rule, ctx: Ctx, where: str):
    url = (rule.inside if where == "inside" else rule.outside)(ctx)
    data = rule.data(ctx, where) if rule.data else {}
    if rule.method == "post":
        return client.post(url, data)
    accept = rule.accept or ("application/json" if rule.api else "text/html")
    return client.get(url, data, HTTP_ACCEPT=accept)


@pytest.mark.parametrize("role,area", ROLE_AREAS, ids=[f"{r}@{a}" for r, a in ROLE_AREAS])
@pytest.mark.parametrize("name", sorted(RULES))
def test_matrix(client, make_user, other_province, role, area, name):
    rule = RULES[name]
    user = make_user(role, area)
    ctx = _ctx(user, area)
    client.force_login(user)
    allowed = rule.permission is None or user.has_role_permission(rule.permission)

    response = _call(client, rule, ctx, "inside")
    if allowed:
        assert response.status_code in rule.ok, f"{name} inside for {role}@{area}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{name} must be refused for {role}: {response.status_code}"

    if rule.outside is not None:
        client.force_login(user)
        response = _call(client, rule, ctx, "outside")
        expected = (404,) if allowed else (403, 404)  # without the role's permission a 403 may come first
        assert response.status_code in expected, (
            f"{name} outside the area for {role}@{area}: {response.status_code}"
        )

    if rule.leak_probe is not None and allowed:
        client.force_login(user)
        probe = rule.leak_probe(ctx)
        response = client.get(probe, HTTP_ACCEPT="application/json")
        body = body_text(response)  # pages, JSON, and the cells of an .xlsx or the text of a PDF
        if rule.api and "?" in probe:  # filtered to another area: nothing may come back
            assert json.loads(body)["count"] == 0, f"{name} returned data of another area: {body[:300]}"
        for echoed in [ctx.area, *parse_qs(urlsplit(probe).query).get("area", [])]:
            body = body.replace(echoed, "")  # the filter form shows back what was asked
        assert ctx.outside[:6] not in body, f"{name} leaked data of {ctx.outside[:6]}"
        assert "OUT户主" not in body and not re.search(r"\d{12}OUT\d{4}", body), f"{name} leaked a household"
        assert OUTSIDE_MARKER not in body, f"{name} leaked another area's job"


@pytest.mark.parametrize("name", sorted(RULES))
def test_anonymous_gets_nothing(client, other_province, name):
    rule = RULES[name]
    ctx = Ctx(user=None, area="140321", outside="140105001001", job_inside=1, job_outside=2)
    response = _call(client, rule, ctx, "inside")
    if rule.public:
        assert response.status_code == 200
    elif rule.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role,area", ROLE_AREAS, ids=[f"{r}@{a}" for r, a in ROLE_AREAS])
def test_admin_site_only_for_administrators(client, make_user, role, area):
    user = make_user(role, area)
    other = make_user(Role.VILLAGE, "140105001001")  # an account in 太原
    client.force_login(user)
    response = client.get(reverse("admin:accounts_user_changelist"))
    if user.has_role_permission(Permission.MANAGE_USERS):
        assert response.status_code == 200
        assert user.username in response.content.decode()
        # A change page for an account outside the admin's area must not be reachable.
        change = client.get(reverse("admin:accounts_user_change", args=[other.pk]))
        assert change.status_code == (200 if other.area_id.startswith(area) else 302)
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_api_list_counts_only_own_area(client, make_user):
    user = make_user(Role.TOWNSHIP, "140321201")
    client.force_login(user)
    data = json.loads(client.get("/api/divisions/?level=5").content)
    assert data["count"] > 0
    codes = [r["code"] for r in data["results"]]
    assert all(c.startswith("140321201") for c in codes)

"""Health conditions and disability reach only the roles with Permission.VIEW_HEALTH (core/health.py).

One list of surfaces (SURFACES) — pages, API responses, .xlsx exports and PDFs — each with the health
values it would show; every surface is fetched by users of roles with the permission (who must see the
values) and of roles without it (who must not, and see "（无权查看）" or are refused). The values are
distinctive (amounts, a grade, a name) so that finding them means the health data got through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from fanpin.accounts.choices import ROLE_PERMISSIONS, Permission, Role
from fanpin.core.health import HIDDEN, health_text
from fanpin.core.tests.permissions_support import body_text, make_household
from fanpin.registry import idnumber

VILLAGE = "140321201249"
GRADE = "残疾（三级）"  # how the household page writes health and grade
ILLNESS = "患大病"
OOP = "23456.78"  # an income record's 合规自付支出
CLAIMS = "1357.91"  # its 理赔收入
RUN_OOP = "24,680.00"  # a monitoring lead: 近 12 个月合规自付支出
DEPT_OOP = "32,100.00"  # a 医保 department lead
HOUSE = "住房存在安全问题（C/D 级危房）"  # a clause of the same reason that is not health data
DISABLED_NAME = "残联名单王五"  # a person of a 残联 file not found in the registry
BAD_GRADE = "五级残疾X"  # a 残联 file's invalid value
FINDING = "监测户有患大病成员，但风险类型不含“因病”：请核实风险类型"


@pytest.fixture
def world(db):
    from fanpin.casework.services.cases import case_open
    from fanpin.core.services.audit import audit_record
    from fanpin.monitoring.models import DepartmentBatch, DepartmentIssue, DepartmentRecord, Lead
    from fanpin.quality.models import Finding, QualityRun
    from fanpin.registry.services.households import income_record_set, member_add

    household, head, _income = make_household(VILLAGE, "IN")
    from fanpin.registry.services.households import member_update

    member_update(actor="测试", member=head, health="残疾", disability_grade="三级")
    ill = member_add(
        actor="测试",
        household=household,
        name="李患病",
        relation="之子",
        id_number=idnumber.make("140321", date(1995, 5, 5), 321),
        health=ILLNESS,
    )
    income_record_set(
        actor="测试",
        household=household,
        year=2025,
        month=5,
        wage=Decimal("900"),
        claims=Decimal(CLAIMS),
        out_of_pocket=Decimal(OOP),
    )
    run_lead = Lead.objects.create(
        household=household,
        year=2025,
        month=6,
        suggested_category="突发严重困难户",
        risk_types="因病",
        reason=f"近 12 个月合规自付支出 {RUN_OOP} 元，超过固定标准 20,000 元；{HOUSE}",
        figures={"out_of_pocket": 2468000, "net": 1000000},
    )
    dept_lead = Lead.objects.create(
        household=household,
        year=2025,
        month=6,
        source="medical",
        suggested_category="突发严重困难户",
        risk_types="因病",
        reason=f"医保数据：2024 年个人合规自付 {DEPT_OOP} 元，超过固定标准 20,000 元",
        figures={"source": "medical", "out_of_pocket": 3210000, "items": [{"amount": 3210000}]},
    )
    case = case_open(actor="测试", household=household, kind="identification", channel="lead", lead=run_lead)
    batch = DepartmentBatch.objects.create(
        source="disability",
        file_name="残联2025-06.xlsx",
        sha256="health-test",
        area_code=VILLAGE,
        year=2025,
        month=6,
        status="loaded",
        counts={"kept": 1, "unmatched": 1, "issues": 1},
    )
    DepartmentIssue.objects.create(
        batch=batch, row=3, column="残疾等级", value=BAD_GRADE, message="残疾等级应为一级至四级"
    )
    DepartmentRecord.objects.create(
        batch=batch, row=4, id_number=idnumber.make("140321", date(1980, 1, 1), 777), name=DISABLED_NAME
    )
    run = QualityRun.objects.create(
        source="registry",
        area_code=VILLAGE,
        as_of=date(2025, 6, 30),
        status="done",
        counts={"households": 1, "errors": 0, "warnings": 1},
        score="80.0",
    )
    Finding.objects.create(
        run=run,
        household=household,
        household_code=household.code,
        village_code=VILLAGE,
        township_code=VILLAGE[:9],
        code="HL06",
        level="warning",
        message=FINDING,
        fields=["健康状况", "致贫/返贫风险"],
        member_name=ill.name,
        value=ILLNESS,
    )
    with transaction.atomic():
        audit_record(
            actor="测试",
            action="member.update",
            obj=ill,
            area_code=VILLAGE,
            subject=household.code,
            before={"health": "健康"},
            after={"health": ILLNESS},
        )
    return {
        "household": household,
        "member": ill,
        "run_lead": run_lead,
        "dept_lead": dept_lead,
        "case": case,
        "batch": batch,
        "run": run,
    }


@dataclass
class Surface:
    name: str
    fetch: Callable  # (client, world) -> response
    secrets: tuple[str, ...]  # health values a role with VIEW_HEALTH sees here
    kept: tuple[str, ...] = ()  # what everyone allowed on the page still sees
    needs: str | None = None  # the page's own permission (without it: 403, nothing to see)
    never: tuple[str, ...] = field(default_factory=tuple)  # shown to no one here


def _get(name, **kwargs):
    def fetch(client, w, query=""):
        resolved = {k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
        url = reverse(name, kwargs=resolved) + (query(w) if callable(query) else query)
        accept = "application/json" if name.startswith("api:") else "text/html"
        return client.get(url, HTTP_ACCEPT=accept)

    return fetch


def _with_query(fetch, query):
    return lambda client, w: fetch(client, w, query)


def _reveal(client, w):
    return client.post(
        reverse("registry:household_reveal", kwargs={"household_id": w["household"].pk}),
        {"reason": "入户核实"},
    )


def _national_export(client, w):
    from fanpin.core.jobs import job_run_now
    from fanpin.core.models import Job

    response = client.get(reverse("registry:export_new"))
    if response.status_code != 200:
        return response
    response = client.post(reverse("registry:export_new"), {"area": VILLAGE, "year": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.filter(kind="registry.export_national").latest("pk")
    job_run_now(job)
    return client.get(reverse("registry:export_download", kwargs={"job_id": job.pk}))


_household = lambda w: w["household"].pk  # noqa: E731

SURFACES = [
    Surface(
        "农户页面（查看完整个人信息后）：健康状况、合规自付、理赔",
        _reveal,
        (GRADE, ILLNESS, OOP, CLAIMS),
        kept=("李患病",),
        needs=Permission.VIEW_PERSONAL,
    ),
    Surface(
        "农户页面（默认）：合规自付、理赔、办理时间线",
        _get("registry:household_detail", household_id=_household),
        (OOP, CLAIMS, RUN_OOP),  # RUN_OOP: the case timeline's first step (the lead's reason)
        kept=("李患病",),
        never=(ILLNESS, GRADE),
    ),
    Surface(
        "修改成员表单：健康状况",
        _get("registry:member_edit", member_id=lambda w: w["member"].pk),
        (f'value="{ILLNESS}" selected',),
        kept=("李患病",),
        needs=Permission.EDIT,
    ),
    Surface(
        "API 成员：健康状况（默认受保护）",
        _get("api:member-detail", pk=lambda w: w["member"].pk),
        ("（受保护）",),
        kept=("李患病",),
        never=(ILLNESS,),
    ),
    Surface(
        "API 收入：合规自付、理赔",
        _with_query(_get("api:income-list"), lambda w: f"?household={w['household'].pk}"),
        (OOP, CLAIMS),
        kept=("900.00",),
    ),
    Surface(
        "国家格式全量导出（.xlsx）：健康状况、合规自付、理赔",
        _national_export,
        (ILLNESS, "残疾", OOP, CLAIMS),  # the national format has 健康状况 (no grade column)
        kept=("李患病",),
        needs=Permission.VIEW_PERSONAL,
    ),
    Surface(
        "预警线索列表：自付金额",
        _with_query(_get("monitoring:lead_list"), "?month=2025-06"),
        (RUN_OOP, DEPT_OOP),
        kept=(HOUSE, "医保数据："),
    ),
    Surface(
        "预警线索页（监测）：自付金额",
        _get("monitoring:lead_detail", lead_id=lambda w: w["run_lead"].pk),
        (RUN_OOP,),
        kept=(HOUSE,),
    ),
    Surface(
        "预警线索页（医保数据）：自付金额",
        _get("monitoring:lead_detail", lead_id=lambda w: w["dept_lead"].pk),
        (DEPT_OOP,),
        kept=("医保数据：",),
    ),
    Surface(
        "API 预警线索：原因与依据数据",
        _with_query(_get("api:lead-list"), lambda w: f"?household={w['household'].pk}"),
        (RUN_OOP, DEPT_OOP, "2468000", "3210000"),
        kept=(HOUSE,),
    ),
    Surface(
        "识别案件页：来自线索的情况",
        _get("casework:case_detail", case_id=lambda w: w["case"].pk),
        (RUN_OOP,),
        kept=(HOUSE,),
    ),
    Surface(
        "API 案件：情况",
        _get("api:case-detail", pk=lambda w: w["case"].pk),
        (RUN_OOP,),
        kept=(HOUSE,),
    ),
    Surface(
        "新建识别（来自线索）：预填的情况",
        _with_query(
            _get("casework:case_new", household_id=_household),
            lambda w: f"?kind=identification&lead={w['dept_lead'].pk}",
        ),
        (DEPT_OOP,),
        kept=("医保数据：",),
        needs=Permission.EDIT,
    ),
    Surface(
        "部门数据（残联）批次页：问题内容、未匹配的人",
        _get("monitoring:department_detail", batch_id=lambda w: w["batch"].pk),
        (BAD_GRADE, DISABLED_NAME),
        kept=("残疾等级应为一级至四级",),
    ),
    Surface(
        "数据质量校验页：涉及健康状况的发现",
        _get("quality:run_detail", run_id=lambda w: w["run"].pk),
        (FINDING,),
        kept=("HL06",),
    ),
    Surface(
        "数据质量校验结果（.xlsx）",
        _get("quality:run_download", run_id=lambda w: w["run"].pk),
        (FINDING,),
        kept=("HL06",),
    ),
    Surface(
        "API 数据质量发现",
        _with_query(_get("api:quality-finding-list"), lambda w: f"?run={w['run'].pk}"),
        (FINDING, ILLNESS),
        kept=("HL06",),
    ),
    Surface(
        "一户一策（PDF）：成员健康状况",
        _get("reports:household_plan_pdf", household_id=_household),
        (GRADE, ILLNESS),
        kept=("李患病",),
    ),
    Surface(
        "审计日志页：说明（来自线索的情况）",
        _with_query(_get("core:audit_list"), "?kind=case"),
        (RUN_OOP,),
        kept=(HOUSE,),
        needs=Permission.VIEW_AUDIT,
    ),
    Surface(
        "审计日志导出（.xlsx）：修改前后的健康状况",
        _with_query(_get("core:audit_export"), "?action=member.update"),
        ("health=（受保护）",),  # masked as on every page; the roles without VIEW_HEALTH: 无权查看
        kept=("member.update",),
        needs=Permission.VIEW_AUDIT,
        never=(ILLNESS,),
    ),
]

WITH = [(Role.COUNTY, "140321"), (Role.VILLAGE, VILLAGE)]
WITHOUT = [(Role.PROVINCE, "14"), (Role.CITY, "1403"), (Role.INSPECTOR, "1403"), (Role.DEPARTMENT, "140321")]


def test_the_roles_that_see_health_data():
    holders = {role for role, perms in ROLE_PERMISSIONS.items() if Permission.VIEW_HEALTH in perms}
    assert holders == {Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE}
    assert {role for role, _a in WITH} <= holders and not {role for role, _a in WITHOUT} & holders


def test_health_roles_also_see_personal_data():
    """The national export needs both; the matrix checks it by VIEW_HEALTH alone because of this."""
    for role, perms in ROLE_PERMISSIONS.items():
        if Permission.VIEW_HEALTH in perms:
            assert Permission.VIEW_PERSONAL in perms, role


def _ids(pairs):
    return [f"{r}@{a}" for r, a in pairs]


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
@pytest.mark.parametrize("role,area", WITH, ids=_ids(WITH))
def test_roles_with_health_permission_see_it(client, make_user, world, surface, role, area):
    user = make_user(role, area)
    if surface.needs and not user.has_role_permission(surface.needs):
        pytest.skip(f"{role} may not open this page at all")
    client.force_login(user)
    response = surface.fetch(client, world)
    assert response.status_code == 200, f"{surface.name}: {response.status_code}"
    text = body_text(response)
    for value in surface.secrets + surface.kept:
        assert value in text, f"{surface.name}: {role} should see {value!r}"
    for value in surface.never:
        assert value not in text, f"{surface.name}: {value!r} is shown to no one here"


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
@pytest.mark.parametrize("role,area", WITHOUT, ids=_ids(WITHOUT))
def test_roles_without_health_permission_do_not(client, make_user, world, surface, role, area):
    user = make_user(role, area)
    client.force_login(user)
    response = surface.fetch(client, world)
    allowed = surface.needs is None or user.has_role_permission(surface.needs)
    if not allowed or surface.name.startswith("国家格式"):
        # refused outright: the page needs a permission the role lacks (the export needs VIEW_HEALTH)
        assert response.status_code == 403, f"{surface.name}: {role} got {response.status_code}"
        return
    assert response.status_code == 200, f"{surface.name}: {role} got {response.status_code}"
    text = body_text(response)
    for value in surface.secrets + surface.never:
        assert value not in text, f"{surface.name}: {role} must not see {value!r}"
    for value in surface.kept:
        assert value in text, f"{surface.name}: {role} should still see {value!r}"
    assert "无权查看" in text, f"{surface.name}: the hidden values should say so"


def test_health_text_keeps_the_clauses_that_are_not_health_data(make_user):
    city = make_user(Role.CITY, "1403")
    reason = (
        f"人均纯收入 5,000.00 元，低于 2025 年监测范围 7,500 元；近 12 个月合规自付支出 {RUN_OOP} 元；{HOUSE}"
    )
    assert (
        health_text(reason, city)
        == f"人均纯收入 5,000.00 元，低于 2025 年监测范围 7,500 元；{HIDDEN}；{HOUSE}"
    )
    assert health_text("残联数据：1 人新办（二级）", city) == f"残联数据：{HIDDEN}"
    village = make_user(Role.VILLAGE, VILLAGE)
    assert health_text(reason, village) == reason

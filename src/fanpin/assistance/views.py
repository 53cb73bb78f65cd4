"""Pages of assistance: household plans (一户一策), measures, visits, coverage, consistency, units and
persons, the catalogue. Thin: selectors to read, services to write."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fanpin.accounts.choices import Permission
from fanpin.assistance import selectors
from fanpin.assistance.choices import CATEGORY_NAMES, MeasureCategory
from fanpin.assistance.consistency import IMPORTED, RULE_NAMES, check
from fanpin.assistance.forms import (
    ItemForm,
    MeasureEndForm,
    MeasureForm,
    MonthForm,
    PersonForm,
    UnitForm,
    VisitForm,
)
from fanpin.assistance.services.catalogue import measure_item_add, measure_item_set_active
from fanpin.assistance.services.measures import measure_add, measure_end, measure_update
from fanpin.assistance.services.units import (
    person_create,
    person_phone_reveal,
    person_update,
    unit_create,
    unit_update,
)
from fanpin.assistance.services.visits import visit_record
from fanpin.core.area import current_area
from fanpin.core.errors import ApplicationError
from fanpin.core.excel import xlsx_response
from fanpin.core.masking import mask_phone
from fanpin.core.permissions import requires
from fanpin.divisions.selectors import division_breadcrumbs
from fanpin.registry.selectors import household_get, member_list


def _area_code(request, form_area: str = "") -> str:
    area = (form_area or "").strip()
    if area.isdigit():
        return area
    current = current_area(request)
    return current.code if current is not None else ""


def _month(request) -> tuple[MonthForm, int, int]:
    form = MonthForm(request.GET or None)
    year, month = form.year_month()
    return form, year, month


# ---- Plans (一户一策) -------------------------------------------------------------------------------


@login_required
def plan_list(request):
    q = request.GET.get("q", "")
    area = _area_code(request, request.GET.get("area", ""))
    today = date.today()
    unvisited = request.GET.get("unvisited") == "1"
    filters = {"area": area, "q": q, "unvisited": today.strftime("%Y-%m") if unvisited else ""}
    qs = selectors.plan_list(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    households = list(page.object_list)
    facts = selectors.households_facts(households, today) if households else {}
    visited = selectors.visited_households(
        user=request.user, households=households, year=today.year, month=today.month
    )
    rows = [
        {
            "household": h,
            "measures": sum(1 for m in facts[h.pk].measures if m.source != IMPORTED),
            "imported": sum(1 for m in facts[h.pk].measures if m.source == IMPORTED),
            "problems": check(facts[h.pk]),
            "visited": h.pk in visited,
        }
        for h in households
    ]
    return render(
        request,
        "assistance/plan_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "area": area,
            "unvisited": unvisited,
            "month": today.strftime("%Y-%m"),
        },
    )


@login_required
def plan_detail(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    today = date.today()
    measures = list(selectors.household_measures(household=household))
    facts = selectors.household_facts(household=household, on=today)
    return render(
        request,
        "assistance/plan_detail.html",
        {
            "household": household,
            "current": [m for m in measures if m.in_place(today)],
            "future": [m for m in measures if m.start > today],
            "ended": [m for m in measures if m.end is not None and m.end < today],
            "imported": selectors.imported_rows(household.measures_recorded),
            "problems": check(facts),
            "principle": selectors.principle(facts),
            "facts": facts,
            "visits": selectors.visit_list(user=request.user, filters={"household": household.pk})[:24],
            "breadcrumbs": division_breadcrumbs(user=request.user, division=household.village),
            "can_edit": request.user.has_role_permission(Permission.EDIT),
        },
    )


def _measure_form(request, household, *, initial=None, data=None):
    return MeasureForm(
        data,
        initial=initial,
        items=selectors.items_for_village(village_code=household.village_id).order_by("category", "sort"),
        units=selectors.units_for_village(village_code=household.village_id),
        persons=selectors.persons_for_village(village_code=household.village_id),
        members=member_list(user=request.user, household=household),
    )


def _measure_fields(form, household, request) -> dict:
    d = form.cleaned_data
    units = {u.pk: u for u in selectors.units_for_village(village_code=household.village_id)}
    persons = {p.pk: p for p in selectors.persons_for_village(village_code=household.village_id)}
    members = {m.pk: m for m in member_list(user=request.user, household=household)}
    return {
        "category": d.get("category", ""),
        "item": d.get("item", ""),
        "detail": d.get("detail", ""),
        "member": members.get(d.get("member")),
        "amount": d.get("amount"),
        "start": d.get("start"),
        "end": d.get("end"),
        "unit": units.get(d.get("unit")),
        "persons": [persons[p] for p in d.get("persons", []) if p in persons],
    }


@requires(Permission.EDIT)
def measure_new(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    initial = {"start": date.today()}
    form = _measure_form(request, household, initial=initial, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure_add(actor=request.user, household=household, **_measure_fields(form, household, request))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(None, "该户不在您的管辖范围内。")
        else:
            messages.success(request, "已添加帮扶措施。")
            return redirect("assistance:plan", household_id=household.pk)
    return render(
        request,
        "assistance/measure_form.html",
        {"form": form, "household": household, "title": "添加帮扶措施"},
    )


@requires(Permission.EDIT)
def measure_edit(request, measure_id: int):
    measure = selectors.measure_get(user=request.user, measure_id=measure_id)
    household = measure.household
    initial = {
        "choice": f"{measure.category}|{measure.item}",
        "detail": measure.detail,
        "member": measure.member_id,
        "amount": measure.amount,
        "start": measure.start,
        "end": measure.end,
        "unit": measure.unit_id,
        "persons": [p.pk for p in measure.persons.all()],
    }
    form = _measure_form(request, household, initial=initial, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            measure_update(
                actor=request.user,
                measure=measure,
                version=int(version) if version.isdigit() else None,
                **_measure_fields(form, household, request),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存帮扶措施。")
            return redirect("assistance:plan", household_id=household.pk)
    return render(
        request,
        "assistance/measure_form.html",
        {"form": form, "household": household, "measure": measure, "title": f"修改措施：{measure}"},
    )


@requires(Permission.EDIT)
def measure_end_view(request, measure_id: int):
    measure = selectors.measure_get(user=request.user, measure_id=measure_id)
    form = MeasureEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure_end(actor=request.user, measure=measure, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已结束措施：{measure}。")
            return redirect("assistance:plan", household_id=measure.household_id)
    return render(
        request,
        "assistance/simple_form.html",
        {
            "form": form,
            "household": measure.household,
            "title": f"结束措施：{measure}",
            "button": "结束措施",
        },
    )


@login_required
def plans_xlsx(request):
    area = _area_code(request, request.GET.get("area", ""))
    on = date.today() if request.GET.get("current") == "1" else None
    headers = [
        "村",
        "户编号",
        "户主姓名",
        "监测对象类别",
        "致贫/返贫风险",
        "措施类别代码",
        "帮扶措施类别",
        "帮扶项目",
        "措施内容",
        "受益成员",
        "金额（元）",
        "开始日期",
        "结束日期",
        "帮扶单位",
        "帮扶责任人",
    ]
    return xlsx_response(
        filename=f"一户一策-{area or '全部'}-{date.today():%Y%m%d}.xlsx",
        sheet="一户一策",
        headers=headers,
        rows=selectors.plan_export_rows(user=request.user, area_code=area, on=on),
    )


# ---- Consistency (帮扶措施不一致户) ------------------------------------------------------------------


@login_required
def problem_list(request):
    area = _area_code(request, request.GET.get("area", ""))
    rule = request.GET.get("rule", "")
    failing = selectors.inconsistent_households(
        user=request.user, area_code=area, rule=rule if rule in RULE_NAMES else None
    )
    counts: dict[str, int] = {}
    for f in failing:
        for p in f.problems:
            counts[p.rule] = counts.get(p.rule, 0) + 1
    page = Paginator(failing, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/problem_list.html",
        {
            "page": page,
            "rule": rule,
            "rules": [(code, name, counts.get(code, 0)) for code, name in RULE_NAMES.items()],
            "area": area,
        },
    )


@login_required
def problems_xlsx(request):
    area = _area_code(request, request.GET.get("area", ""))
    rule = request.GET.get("rule", "")
    failing = selectors.inconsistent_households(
        user=request.user, area_code=area, rule=rule if rule in RULE_NAMES else None
    )
    return xlsx_response(
        filename=f"帮扶措施不一致户-{area or '全部'}-{date.today():%Y%m%d}.xlsx",
        sheet="帮扶措施不一致户",
        headers=["村", "户编号", "户主姓名", "监测对象类别", "致贫/返贫风险", "规则代码", "问题"],
        rows=(
            [
                f.household.village.name,
                f.household.code,
                f.household.head_name,
                f.household.category,
                "、".join(f.household.risk_list),
                p.rule,
                p.message,
            ]
            for f in failing
            for p in f.problems
        ),
        widths=[16, 22, 10, 14, 24, 24, 80],
    )


# ---- Visits (入户走访) ------------------------------------------------------------------------------


@requires(Permission.EDIT)
def visit_new(request, household_id: int):
    household = household_get(user=request.user, household_id=household_id)
    persons = selectors.visit_person_choices(household=household)
    on_plan = {p.pk for p in persons if p.on_plan}
    initial = {
        "visited_on": date.today(),
        "visitors": getattr(request.user, "display_name", "") or request.user.username,
        "persons": sorted(on_plan)[:1],
    }
    form = VisitForm(request.POST or None, initial=initial, persons=persons)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        by_id = {p.pk: p for p in persons}
        try:
            visit_record(
                actor=request.user,
                household=household,
                visited_on=d["visited_on"],
                visitors=d["visitors"],
                findings=d["findings"],
                follow_up=d["follow_up"],
                persons=[by_id[p] for p in d["persons"] if p in by_id],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记 {d['visited_on']:%Y-%m-%d} 的入户走访。")
            return redirect("assistance:plan", household_id=household.pk)
    return render(request, "assistance/visit_form.html", {"form": form, "household": household})


@login_required
def visit_list(request):
    form, year, month = _month(request)
    area = _area_code(request, request.GET.get("area", ""))
    qs = selectors.visit_list(user=request.user, filters={"area": area, "month": f"{year}-{month:02d}"})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/visit_list.html",
        {"page": page, "month": f"{year}-{month:02d}", "area": area},
    )


COVERAGE_HEADERS = {
    "village": ["乡镇", "村", "村代码"],
    "township": ["县", "乡镇", "乡镇代码"],
    "county": ["市", "县", "县代码"],
}


def _coverage_rows(request):
    form, year, month = _month(request)
    area = _area_code(request, request.GET.get("area", ""))
    level = request.GET.get("by", "village")
    level = level if level in selectors.COVERAGE_LEVELS else "village"
    rows = selectors.visit_coverage(user=request.user, year=year, month=month, area_code=area)
    total = selectors.coverage_total(rows)
    return year, month, area, level, selectors.coverage_rollup(rows, level), total


@login_required
def coverage(request):
    year, month, area, level, rows, total = _coverage_rows(request)
    return render(
        request,
        "assistance/coverage.html",
        {
            "rows": rows,
            "total": total,
            "month": f"{year}-{month:02d}",
            "area": area,
            "by": level,
            "headers": COVERAGE_HEADERS[level],
            "levels": [("village", "按村"), ("township", "按乡镇汇总"), ("county", "按县汇总")],
        },
    )


@login_required
def coverage_xlsx(request):
    year, month, area, level, rows, total = _coverage_rows(request)
    return xlsx_response(
        filename=f"走访覆盖率-{area or '全部'}-{year}{month:02d}.xlsx",
        sheet=f"{year}年{month}月走访覆盖率",
        headers=[*COVERAGE_HEADERS[level], "监测户数", "本月已走访户数", "走访覆盖率（%）"],
        rows=[
            [r.township_name, r.village_name, r.village_code, r.monitored, r.visited, float(r.share)]
            for r in [*rows, total]
        ],
    )


# ---- Units and persons (帮扶单位、帮扶责任人) -----------------------------------------------------------


@login_required
def unit_list(request):
    q = request.GET.get("q", "")
    qs = selectors.unit_list(user=request.user, filters={"q": q})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/unit_list.html",
        {"page": page, "q": q, "can_edit": request.user.has_role_permission(Permission.EDIT)},
    )


@login_required
def unit_detail(request, unit_id: int):
    unit = selectors.unit_get(user=request.user, unit_id=unit_id)
    return render(
        request,
        "assistance/unit_detail.html",
        {
            "unit": unit,
            "persons": selectors.person_list(user=request.user, unit=unit),
            "can_edit": request.user.has_role_permission(Permission.EDIT)
            and request.user.covers(unit.area_code),
            "can_view_personal": request.user.has_role_permission(Permission.VIEW_PERSONAL),
            "revealed": {},
        },
    )


@requires(Permission.EDIT)
def unit_new(request):
    area = current_area(request)
    form = UnitForm(request.POST or None, initial={"area_code": area.code if area else "", "active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = unit_create(actor=request.user, name=d["name"], area_code=d["area_code"], kind=d["kind"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error("area_code", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, f"已新增帮扶单位“{unit.name}”。")
            return redirect("assistance:unit_detail", unit_id=unit.pk)
    return render(request, "assistance/simple_form.html", {"form": form, "title": "新增帮扶单位"})


@requires(Permission.EDIT)
def unit_edit(request, unit_id: int):
    unit = selectors.unit_get(user=request.user, unit_id=unit_id)
    initial = {"name": unit.name, "area_code": unit.area_code, "kind": unit.kind, "active": unit.active}
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(None, "该单位或区划不在您的管辖范围内，不能修改。")
        else:
            messages.success(request, "已保存。")
            return redirect("assistance:unit_detail", unit_id=unit.pk)
    return render(request, "assistance/simple_form.html", {"form": form, "title": f"修改 {unit.name}"})


@requires(Permission.EDIT)
def person_new(request, unit_id: int):
    unit = selectors.unit_get(user=request.user, unit_id=unit_id)
    form = PersonForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person_create(actor=request.user, unit=unit, name=d["name"], post=d["post"], phone=d["phone"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(None, "该单位不在您的管辖范围内，不能添加责任人。")
        else:
            messages.success(request, f"已添加帮扶责任人“{d['name']}”。")
            return redirect("assistance:unit_detail", unit_id=unit.pk)
    return render(
        request, "assistance/simple_form.html", {"form": form, "title": f"为 {unit.name} 添加帮扶责任人"}
    )


@requires(Permission.EDIT)
def person_edit(request, person_id: int):
    person = selectors.person_get(user=request.user, person_id=person_id)
    initial = {"name": person.name, "post": person.post, "active": person.active}
    form = PersonForm(
        request.POST or None, initial=initial, editing=True, masked_phone=mask_phone(person.phone)
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        if not d.get("phone"):
            d.pop("phone", None)
        try:
            person_update(actor=request.user, person=person, **d)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(None, "该责任人不在您的管辖范围内，不能修改。")
        else:
            messages.success(request, "已保存。")
            return redirect("assistance:unit_detail", unit_id=person.unit_id)
    return render(request, "assistance/simple_form.html", {"form": form, "title": f"修改 {person.name}"})


@require_POST
@requires(Permission.VIEW_PERSONAL)
def person_reveal(request, person_id: int):
    """The full phone number of one responsible person, with a reason; audited."""
    person = selectors.person_get(user=request.user, person_id=person_id)
    unit = person.unit
    revealed, error = {}, ""
    try:
        revealed[person.pk] = person_phone_reveal(
            actor=request.user, person=person, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        error = exc.message
    except PermissionDenied:
        error = "该责任人不在您的管辖范围内。"
    response = render(
        request,
        "assistance/unit_detail.html",
        {
            "unit": unit,
            "persons": selectors.person_list(user=request.user, unit=unit),
            "can_edit": request.user.has_role_permission(Permission.EDIT)
            and request.user.covers(unit.area_code),
            "can_view_personal": True,
            "revealed": revealed,
            "reveal_error": error,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# ---- Catalogue (帮扶措施目录) -------------------------------------------------------------------------


@login_required
def catalogue(request):
    can_manage = request.user.has_role_permission(Permission.MANAGE_CATALOGUE)
    items = selectors.catalogue_items(user=request.user, include_inactive=can_manage)
    groups: dict[str, list] = {c: [] for c in MeasureCategory.values}
    for item in items:
        groups[item.category].append(item)
    return render(
        request,
        "assistance/catalogue.html",
        {
            "groups": [(code, CATEGORY_NAMES[code], groups[code]) for code in MeasureCategory.values],
            "can_manage": can_manage,
        },
    )


@require_POST
@requires(Permission.MANAGE_CATALOGUE)
def item_toggle(request, item_id: int):
    """Retire an item the area added itself, or bring it back."""
    item = selectors.item_get(user=request.user, item_id=item_id)
    try:
        measure_item_set_active(actor=request.user, item=item, active=not item.active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, "该项目属于上级区划，只能由上级停用。")
    else:
        messages.success(request, f"已{'启用' if item.active else '停用'}项目“{item.name}”。")
    return redirect("assistance:catalogue")


@requires(Permission.MANAGE_CATALOGUE)
def item_new(request):
    form = ItemForm(request.POST or None, initial={"category": request.GET.get("category", "")})
    if request.method == "POST" and form.is_valid():
        try:
            item = measure_item_add(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已在“{CATEGORY_NAMES[item.category]}”下新增项目“{item.name}”。")
            return redirect("assistance:catalogue")
    return render(request, "assistance/simple_form.html", {"form": form, "title": "新增帮扶项目"})

"""Two household documents as PDF (WeasyPrint, Noto CJK): the assistance plan (一户一策) and a visit
record form (入户走访记录表) pre-filled with the household and its helpers, to print and take along.
Personal data is masked as on every page (ID numbers, phones); 健康状况 is printed on the plan only for
roles with Permission.VIEW_HEALTH (fanpin.core.health), "（无权查看）" for the others."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from fanpin.core.health import health_value
from fanpin.core.masking import mask_phone


def _household_context(*, user: Any, household_id: int) -> dict:
    from fanpin.assistance.selectors import household_facts, household_measures, principle, visit_list
    from fanpin.registry.selectors import household_get

    household = household_get(user=user, household_id=household_id)
    today = date.today()
    measures = list(household_measures(household=household, on=today))
    persons = []
    for m in measures:
        for p in m.persons.all():
            entry = (p.name, p.post, p.unit.name, mask_phone(p.phone))
            if entry not in persons:
                persons.append(entry)
    members = [
        {
            "name": m.name,
            "relation": m.relation,
            "id": m.id_number_masked,  # the masked copy is stored: nothing to decrypt for a printed list
            "labour": m.labour_skill,
            # 健康状况 guides the plan's 健康帮扶: printed for the roles that may see it (core.health)
            "health": health_value(
                m.health + (f"（{m.disability_grade}）" if m.disability_grade else ""), user
            ),
        }
        for m in household.members.defer("id_number", "phone", "bank_account")
    ]
    return {
        "household": household,
        "place": household.village.full_name,
        "members": members,
        "measures": measures,
        "persons": persons,
        "visits": list(visit_list(user=user).filter(household=household)[:12]),
        "principle": principle(household_facts(household=household, on=today)),
        "today": today,
    }


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def plan_pdf(*, user: Any, household_id: int) -> tuple[bytes, str]:
    context = _household_context(user=user, household_id=household_id)
    return _pdf("reports/pdf_plan.html", context), f"一户一策_{context['household'].code}.pdf"


def visit_form_pdf(*, user: Any, household_id: int) -> tuple[bytes, str]:
    context = _household_context(user=user, household_id=household_id)
    return _pdf("reports/pdf_visit_form.html", context), f"入户走访记录表_{context['household'].code}.pdf"

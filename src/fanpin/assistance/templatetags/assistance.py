"""{% plan_summary household as s %}: the household page's small assistance section (measures in place,
consistency problems, last visit) without the registry view knowing about assistance."""

from datetime import date

from django import template

from fanpin.assistance.consistency import IMPORTED, check
from fanpin.assistance.selectors import household_facts, visit_list

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_summary(context, household):
    facts = household_facts(household=household, on=date.today())
    last = visit_list(user=context["request"].user, filters={"household": household.pk}).first()
    return {
        "measures": sum(1 for m in facts.measures if m.source != IMPORTED),
        "imported": sum(1 for m in facts.measures if m.source == IMPORTED),
        "problems": check(facts),
        "last_visit": last.visited_on if last else None,
    }

from django import template

from fanpin.accounts.choices import Permission
from fanpin.casework.selectors import household_cases, timeline

register = template.Library()


@register.inclusion_tag("casework/_household_cases.html", takes_context=True)
def household_casework(context, household):
    """The household page's section: its cases and the timeline of every transition."""
    user = context["request"].user
    cases = household_cases(user=user, household=household)
    return {
        "household": household,
        "cases": cases,
        "entries": timeline(cases=cases),
        "can_edit": user.has_role_permission(Permission.EDIT),
        "can_approve": user.has_role_permission(Permission.APPROVE),
        "request": context["request"],
        "user": user,
    }

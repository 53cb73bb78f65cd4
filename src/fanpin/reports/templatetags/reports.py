from django import template

from fanpin.reports.indicators import INDICATORS

register = template.Library()


@register.filter
def ind(value, key: str) -> str:
    """A stored figure shown the way its indicator defines (thousands separators, its decimals)."""
    definition = INDICATORS.get(key)
    if definition is None:
        return "—" if value is None else str(value)
    return definition.format(value)

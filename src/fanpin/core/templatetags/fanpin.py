from django import template

from fanpin.core.masking import mask_account, mask_cell, mask_id, mask_phone

register = template.Library()
register.filter("mask_id", mask_id)
register.filter("mask_phone", mask_phone)
register.filter("mask_account", mask_account)
register.filter("mask_cell", mask_cell)


# Health data (fanpin.core.health): {{ m.health|health:user }}, {{ lead.reason|health_text:user }}
@register.filter("health")
def _health(value, user):
    from fanpin.core.health import health_value

    return health_value(value, user)


@register.filter("health_text")
def _health_text(text, user):
    from fanpin.core.health import health_text

    return health_text(text, user)


@register.filter("can_view_health")
def _can_view_health(user):
    from fanpin.core.health import can_view_health

    return can_view_health(user)

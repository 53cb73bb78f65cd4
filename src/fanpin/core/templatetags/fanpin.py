from django import template

from fanpin.core.masking import mask_account, mask_cell, mask_id, mask_phone

register = template.Library()
register.filter("mask_id", mask_id)
register.filter("mask_phone", mask_phone)
register.filter("mask_account", mask_account)
register.filter("mask_cell", mask_cell)

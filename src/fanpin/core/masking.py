"""Personal data shown masked by default: ID numbers, phone numbers, bank accounts, health."""

from __future__ import annotations

PROTECTED = "（受保护）"


def mask_id(number: str) -> str:
    """140321********1234: region kept, birth date and sequence hidden."""
    number = number or ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    phone = phone or ""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(account: str) -> str:
    account = account or ""
    return "*" * max(0, len(account) - 4) + account[-4:]


ID_FIELDS = frozenset({"id_number"})
PHONE_FIELDS = frozenset({"phone", "collector_phone"})
ACCOUNT_FIELDS = frozenset({"bank_account"})
HEALTH_FIELDS = frozenset({"health", "disability_grade"})
SEALED_FIELDS = ID_FIELDS | PHONE_FIELDS | ACCOUNT_FIELDS
AUDIT_COLUMN = "core.auditevent.{key}"  # associated data of personal values kept in audit events


def seal_values(values: dict | None) -> dict | None:
    """A copy of an audit event's before/after with ID numbers, phones and bank accounts encrypted
    (core/crypto.py), so the audit table holds no plaintext personal data; mask_values opens them."""
    if not values:
        return values
    from fanpin.core import crypto

    out = dict(values)
    for key in SEALED_FIELDS & out.keys():
        value = out[key]
        if value not in (None, "") and not crypto.is_token(value):
            out[key] = crypto.encrypt(str(value), column=AUDIT_COLUMN.format(key=key))
    return out


def _opened(key: str, value):
    from fanpin.core import crypto

    if crypto.is_token(value):
        try:
            return crypto.decrypt(value, column=AUDIT_COLUMN.format(key=key))
        except crypto.DecryptError:
            return PROTECTED
    return value


def mask_values(values: dict | None, *, show: bool = False) -> dict:
    """A copy of a field → value dict (an audit event's before/after) with personal data masked."""
    if not values:
        return {}
    values = {k: (_opened(k, v) if k in SEALED_FIELDS else v) for k, v in values.items()}
    if show:
        return values
    masked = {}
    for key, value in values.items():
        text = "" if value is None else str(value)
        if key in ACCOUNT_FIELDS:
            masked[key] = mask_account(text)
        elif key in ID_FIELDS:
            masked[key] = mask_id(text)
        elif key in PHONE_FIELDS:
            masked[key] = mask_phone(text)
        elif key in HEALTH_FIELDS:
            masked[key] = PROTECTED if text else text
        else:
            masked[key] = value
    return masked


def mask_cell(value: str, column: str) -> str:
    """A cell of an uploaded file named by its column header (import issues, error sheets): the same
    masking as the registry's fields, chosen by the national format's column names."""
    text = "" if value is None else str(value)
    if not text:
        return text
    if "证件号码" in column or "身份证" in column:
        return mask_id(text)
    if "电话" in column or "手机" in column:
        return mask_phone(text)
    if "银行" in column or "账号" in column:
        return mask_account(text)
    if "健康" in column or "残疾" in column:
        return PROTECTED
    return text

"""Cell conversions for the national format. Each returns the value or raises CellError (Chinese)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("100000000")


class CellError(ValueError):
    pass


def to_decimal(text: str, *, allow_negative: bool = False) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise CellError("不是数字") from None
    if not value.is_finite():
        raise CellError("不是数字")
    if value < 0 and not allow_negative:
        raise CellError("不能为负数")
    if abs(value) > MAX_AMOUNT:
        raise CellError("数值过大，请核对")
    return value.quantize(Decimal("0.01"))


def to_yesno(text: str) -> bool | None:
    if text == "":
        return None
    if text in ("是", "Y", "y", "1", "TRUE", "True", "true"):
        return True
    if text in ("否", "N", "n", "0", "FALSE", "False", "false"):
        return False
    raise CellError("应填“是”或“否”")


def to_month(text: str, *, today: date | None = None) -> str:
    if text == "":
        return ""
    today = today or date.today()
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 1990:
        raise CellError("应为 6 位年月，如 202106")
    if (int(text[:4]), int(text[4:])) > (today.year, today.month):
        raise CellError("年月晚于当前月份")
    return text


def to_date8(text: str, *, today: date | None = None) -> date | None:
    if text == "":
        return None
    digits = text.replace("-", "").replace("/", "").replace(".", "")
    if len(digits) != 8 or not digits.isdigit():
        raise CellError("应为 8 位日期，如 19800105")
    try:
        value = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise CellError("不是有效日期") from None
    if value > (today or date.today()) or value.year < 1880:
        raise CellError("日期不合理")
    return value

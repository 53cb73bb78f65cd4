"""居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence (odd = male),
ISO 7064 MOD 11-2 check character. Pure functions, no Django.

Region check: the first two digits must be a province-level code of GB/T 2260. The six-digit county
code is not checked against today's divisions, because IDs keep the county code of the year they were
issued (e.g. 140421 长治县, renamed 上党区 140404 in 2018) and stay valid for life.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
EARLIEST_BIRTH = date(1880, 1, 1)


class IdNumberError(ValueError):
    """The reason, in Chinese, why an ID number is invalid."""


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised: upper-case X, no spaces
    region: str
    birth_date: date
    sex: str  # "男" or "女"


def normalize(value: str) -> str:
    """Strip spaces (including full-width) and upper-case the check character."""
    return "".join(str(value).split()).replace("\u3000", "").replace("ｘ", "X").upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse(value: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-character resident ID number; raise IdNumberError with a Chinese reason."""
    number = normalize(value)
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为 18 位，实际 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("身份证号码前 17 位应为数字，最后一位为数字或 X")
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(f"身份证号码地区码“{number[:6]}”不存在（前两位应为省级代码）")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号码中的出生日期“{number[6:14]}”不是有效日期") from None
    if birth < EARLIEST_BIRTH or birth > (today or date.today()):
        raise IdNumberError(f"身份证号码中的出生日期“{number[6:14]}”不合理")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"身份证号码校验位错误：最后一位应为“{expected}”，实际为“{number[17]}”")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, region=number[:6], birth_date=birth, sex=sex)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except IdNumberError:
        return False
    return True


def make(region: str, birth: date, sequence: int) -> str:
    """Build a valid number (used by the synthetic-data generator and tests). sequence: 0–999."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanpin.registry import idnumber
from fanpin.registry.idnumber import IdNumberError, parse

# The GB 11643-1999 standard's own worked example.
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_is_valid_and_derives_birth_date_and_sex():
    info = parse(STANDARD_EXAMPLE)
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"  # sequence 002 is even
    assert info.region == "110105"


def test_lower_case_x_and_spaces_are_accepted():
    assert parse(" 11010519491231002x ").number == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "value,reason",
    [
        ("110105194912310021", "校验位错误：最后一位应为“X”"),
        ("11010519491231002", "应为 18 位"),
        ("1101051949123100AX", "前 17 位应为数字"),
        ("99010519491231002X", "地区码"),
        ("110105194902300020", "不是有效日期"),  # 30 February
        ("110105209901010010", "不合理"),  # born in the future
    ],
)
def test_invalid_numbers_name_the_reason(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        parse(value, today=date(2026, 11, 23))


def test_changing_any_digit_breaks_the_check():
    for i in range(17):
        digit = STANDARD_EXAMPLE[i]
        changed = STANDARD_EXAMPLE[:i] + str((int(digit) + 1) % 10) + STANDARD_EXAMPLE[i + 1 :]
        assert not idnumber.is_valid(changed), changed


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_made_numbers_parse_back(birth, sequence):
    number = idnumber.make("140321", birth, sequence)
    info = parse(number, today=date(2026, 1, 1))
    assert info.birth_date == birth
    assert info.sex == ("男" if sequence % 2 else "女")

"""The export's income windows on plain integers (cents) give exactly what income_over_12_months and
WindowIncome give with model-like records and Decimal amounts."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fanpin.registry.income import (
    FIELDS,
    WindowIncome,
    cents_text,
    income_over_12_months,
    latest_end,
    latest_window,
    per_capita_cents,
    window_cents,
)


def as_records(raw):
    """CentsRecord tuples → objects with Decimal yuan, as the models hold them."""
    return [
        SimpleNamespace(
            year=r[0],
            month=r[1],
            months=r[2],
            **{f: Decimal(r[3 + i]).scaleb(-2) for i, f in enumerate(FIELDS)},
        )
        for r in raw
    ]


def dedupe(raw):
    """At most one record per (year, month, months), as the database's unique constraint has it."""
    seen = {}
    for r in raw:
        seen[r[:3]] = r
    return sorted(seen.values(), key=lambda r: (r[0], r[1], r[2]))


amount = st.one_of(
    st.integers(-3_000_000, 3_000_000),  # cents up to 30,000 yuan
    st.sampled_from([0, 1, 6, 11, 18, 30, 66, 1_000_006, 12_345_678_906]),  # near half cents of /12
    st.integers(0, 10**14 - 1),  # max_digits=14
)
monthly = st.tuples(st.integers(2023, 2025), st.integers(1, 12), st.just(1), *[amount] * 7)
annual = st.tuples(st.integers(2023, 2025), st.just(1), st.just(12), *[amount] * 7)
records = st.lists(st.one_of(monthly, annual), min_size=1, max_size=30).map(dedupe)


def check(raw, end_year, end_month):
    expected = income_over_12_months(as_records(raw), end_year=end_year, end_month=end_month)
    covered, cents = window_cents(raw, end_year=end_year, end_month=end_month)
    assert covered == expected.months_covered
    for f, c in zip(FIELDS, cents, strict=True):
        assert cents_text(c) == f"{getattr(expected, f):.2f}", f
    return expected


@settings(max_examples=600, deadline=None)
@given(records, st.integers(2023, 2025), st.integers(1, 12))
@example([(2025, 1, 12, 6, 0, 0, 0, 0, 0, 0)], 2025, 6)  # six twelfths of 0.06 = 0.03 exactly
@example([(2025, 1, 12, 1, 0, 0, 0, 0, 0, 0)], 2025, 6)  # six twelfths of 0.01 = 0.005: a tie
@example([(2024, 1, 12, 18, 0, 0, 0, 0, 0, 0), (2025, 3, 1, 1, 0, 0, 0, 0, 0, 0)], 2025, 4)
def test_window_cents_equals_decimal(raw, end_year, end_month):
    check(raw, end_year, end_month)


@settings(max_examples=300, deadline=None)
@given(records)
def test_latest_end_equals_latest_window(raw):
    expected = latest_window(as_records(raw))
    end_year, end_month = latest_end(raw)
    assert (end_year, end_month) == (expected.end_year, expected.end_month)
    check(raw, end_year, end_month)


def test_half_cents_and_negative_amounts():
    tie = [(2025, 1, 12, 1, 0, 0, 0, 0, 0, 0)]  # 0.01 / 12 × 6 months = 0.005 → 0.01
    assert window_cents(tie, end_year=2025, end_month=6) == (6, [1, 0, 0, 0, 0, 0, 0])
    check(tie, 2025, 6)
    negative = [(2025, 1, 12, -1, 0, 0, 0, -6, 0, 0)]  # −0.005 → −0.01 (away from zero); −0.03
    assert window_cents(negative, end_year=2025, end_month=6) == (6, [-1, 0, 0, 0, -3, 0, 0])
    check(negative, 2025, 6)
    # The whole year of one annual record gives the record back, also with odd cents.
    assert window_cents([(2025, 1, 12, 1001, 7, 0, 0, 0, 0, 5)], end_year=2025, end_month=12) == (
        12,
        [1001, 7, 0, 0, 0, 0, 5],
    )


@settings(max_examples=1000, deadline=None)
@given(st.integers(-(10**13), 10**13), st.integers(1, 40))
@example(-1, 4)  # -0.0025 → "-0.00", as Decimal prints it
@example(2, 4)  # 0.005 → 0.01 (half up)
@example(-2, 4)  # -0.005 → -0.01 (half away from zero)
@example(0, 3)
def test_per_capita_cents_equals_decimal(net, size):
    window = WindowIncome(end_year=2025, end_month=12, wage=Decimal(net).scaleb(-2))
    expected = f"{window.per_capita(size):.2f}"
    assert cents_text(per_capita_cents(net, size), negative=net < 0) == expected
    assert cents_text(net) == f"{window.net:.2f}"

"""The shortcuts the import takes for speed give what the plain code gives: the ID-number check, the
income of a new household, the staging file, and a file read by worker processes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.core.errors import ApplicationError
from fanpin.registry import idnumber
from fanpin.registry.income import latest_window
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.national import reader
from fanpin.registry.national.merge import annual_income
from fanpin.registry.national.parse import _IdChecker, read_staging
from fanpin.registry.tests.national_files import H1, ID, merge, parse, standard_rows, write_xlsx

TODAY = date(2025, 6, 30)


def parsed(number: str):
    try:
        info = idnumber.parse(number, today=TODAY)
    except idnumber.IdNumberError:
        return None
    return info.birth_date.isoformat(), info.sex


@settings(max_examples=3000, deadline=None)
@given(
    region=st.sampled_from(["140321", "110101", "990101", "14032"]),
    birth=st.dates(date(1870, 1, 1), date(2030, 12, 31)),
    sequence=st.integers(0, 999),
    tamper=st.sampled_from(["", "check", "date", "length", "letter"]),
)
def test_the_fast_id_check_agrees_with_idnumber_parse(region, birth, sequence, tamper):
    number = f"{region}{birth:%Y%m%d}{sequence:03d}"
    number += idnumber.check_char(number) if len(number) == 17 else "0"
    if tamper == "check" and len(number) == 18:
        number = number[:17] + ("X" if number[17] != "X" else "0")
    elif tamper == "date":
        number = number[:10] + "13" + number[12:]
    elif tamper == "length":
        number = number[:17]
    elif tamper == "letter":
        number = number[:8] + "A" + number[9:]
    fast = _IdChecker(TODAY)(number)
    assert fast is None or fast == parsed(number)  # None: the caller asks idnumber.parse
    if parsed(number) is not None and number.isascii():
        assert fast == parsed(number)


@settings(max_examples=2000, deadline=None)
@given(
    amounts=st.lists(
        st.one_of(st.none(), st.decimals(0, 100_000_000, places=2, allow_nan=False)), min_size=7, max_size=7
    ),
    size=st.integers(0, 12),
    year=st.integers(2015, 2030),
)
def test_income_of_a_new_household_is_what_latest_window_gives(amounts, size, year):
    fields = ["wage", "business", "property_income", "transfer", "business_cost", "claims", "out_of_pocket"]
    income = {
        f: None if v is None else str(v.quantize(Decimal("0.01")))
        for f, v in zip(fields, amounts, strict=True)
    }
    record = SimpleNamespace(year=year, month=1, months=12, **{f: Decimal(income[f] or 0) for f in fields})
    window = latest_window([record])
    assert annual_income(income, size) == (window.net, window.per_capita(size))


@pytest.mark.django_db
def test_a_file_read_by_worker_processes_imports_the_same(county_user, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "PIECE_BYTES", 2 << 10)  # a few rows per piece: many pieces, workers
    used = []
    original = reader.SheetRows._parallel_blocks
    monkeypatch.setattr(
        reader.SheetRows, "_parallel_blocks", lambda self, *a: used.append(1) or original(self, *a)
    )
    rows = standard_rows()
    rows[1]["证件号码"] = ID["李秀英"][:17] + ("0" if ID["李秀英"][17] != "0" else "1")

    batch, job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", rows))

    assert used, "the file should have been read by worker processes"
    assert job.status == "succeeded", job.error
    assert batch.counts["rows"] == 6 and batch.counts["errors"] == 1
    batch, job = merge(county_user, batch, "valid")
    assert job.status == "succeeded", job.error
    assert Household.objects.count() == 2 and not Household.objects.filter(code=H1).exists()
    assert Member.objects.count() == 3
    assert IncomeRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_stale_staging_file_is_refused_clearly(county_user, tmp_path):
    batch, _job = parse(county_user, write_xlsx(tmp_path / "f.xlsx", standard_rows()))
    header, chunks = read_staging(batch.staging_path)
    assert header["households"] == 3 and header["members"] == 6
    assert sum(len(c) for c in chunks) == 3

    batch.staging_path.write_bytes(b"not a staging file")
    with pytest.raises(ApplicationError, match="暂存数据已失效"):
        read_staging(batch.staging_path)
    batch.staging_path.unlink()
    with pytest.raises(ApplicationError, match="暂存数据已失效"):
        read_staging(batch.staging_path)

"""fanpin synth: synthetic households on the real Shanxi villages."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from fanpin.core.errors import ApplicationError
from fanpin.registry import idnumber, synth
from fanpin.registry.choices import RISK_TYPES, SCHOOL_GRADES, Category, HouseholdType
from fanpin.registry.income import income_over_12_months, window_months
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.services.synth import households_synthesize, parse_end

TOWNSHIP = "140321201"  # 平定县岔口乡
OTHER_TOWNSHIP = "140321200"  # 平定县石门口乡
END = "202510"
CENT = Decimal("0.01")


def make(n: int, area: str = TOWNSHIP, seed: int = 7, **kw):
    return households_synthesize(actor="测试", households=n, seed=seed, area_code=area, end=END, **kw)


def digest(area: str) -> str:
    """All rows of the area except ids and timestamps (which depend on the database, not the seed)."""
    skip = {"id", "created_at", "updated_at"}
    h = hashlib.sha256()
    hh_fields = [f.attname for f in Household._meta.concrete_fields if f.attname not in skip]
    for row in Household.objects.filter(code__startswith=area).order_by("code").values_list(*hh_fields):
        h.update(repr(row).encode())
    m_fields = [f.attname for f in Member._meta.concrete_fields if f.attname not in skip | {"household_id"}]
    members = Member.objects.filter(household__code__startswith=area).order_by(
        "household__code", "id_number_index"
    )
    for row in members.values_list("household__code", *m_fields):
        h.update(repr(row).encode())
    i_fields = [
        f.attname for f in IncomeRecord._meta.concrete_fields if f.attname not in skip | {"household_id"}
    ]
    incomes = IncomeRecord.objects.filter(household__code__startswith=area).order_by(
        "household__code", "year", "month"
    )
    for row in incomes.values_list("household__code", *i_fields):
        h.update(repr(row).encode())
    return h.hexdigest()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pytest.mark.django_db
def test_households_members_and_incomes_are_consistent():
    result = make(300)
    assert result.households == 300
    households = list(Household.objects.filter(township_code=TOWNSHIP))
    assert len(households) == 300
    members = list(Member.objects.filter(household__township_code=TOWNSHIP))
    assert result.members == len(members)
    by_household: dict[int, list[Member]] = {}
    for m in members:
        by_household.setdefault(m.household_id, []).append(m)
    codes = [h.code for h in households]
    assert len(set(codes)) == len(codes)
    ids = [m.id_number for m in members]
    assert len(set(ids)) == len(ids)

    ref = date(2025, 10, 31)
    window = window_months(2025, 10)
    records: dict[int, list[IncomeRecord]] = {}
    for r in IncomeRecord.objects.filter(household__township_code=TOWNSHIP):
        records.setdefault(r.household_id, []).append(r)
    for hh in households:
        v = hh.village_id
        assert v.startswith(TOWNSHIP) and len(v) == 12 and v[9] >= "2"  # 村委会, not 居委会
        assert (hh.province_code, hh.city_code, hh.county_code, hh.township_code) == (
            v[:2],
            v[:4],
            v[:6],
            v[:9],
        )
        assert hh.code.startswith(v) and len(hh.code) == 18
        people = by_household[hh.pk]
        assert hh.size == len(people) and 1 <= hh.size <= 7
        heads = [m for m in people if m.relation == "户主"]
        assert len(heads) == 1 and hh.head_name == heads[0].name
        for m in people:
            info = idnumber.parse(m.id_number)
            assert info.birth_date == m.birth_date and info.sex == m.sex
            assert info.region == hh.county_code
            assert idnumber.make(hh.county_code, m.birth_date, int(m.id_number[14:17])) == m.id_number
            assert m.school_status == "" or m.school_status in SCHOOL_GRADES
            if m.school_status in synth.PRIMARY:  # 一年级 at 6 on 31 August of the school year (2025)
                grade = synth.PRIMARY.index(m.school_status)
                assert age_on(m.birth_date, date(2025, 8, 31)) == grade + 6
            if m.relation in ("之子", "之女"):
                assert age_on(m.birth_date, ref) < age_on(heads[0].birth_date, ref) - 15
        # 12 monthly records for the 12 months up to END; the stored incomes are their sums.
        recs = records[hh.pk]
        assert sorted((r.year, r.month) for r in recs) == window and all(r.months == 1 for r in recs)
        w = income_over_12_months(recs, end_year=2025, end_month=10)
        assert hh.net_income == w.net
        assert hh.per_capita_income == w.per_capita(hh.size)
        assert hh.per_capita_income == (hh.net_income / hh.size).quantize(CENT, ROUND_HALF_UP)
        if hh.category:
            assert hh.identified_month and 1 <= len(hh.risk_list) <= 3
            assert set(hh.risk_list) <= set(RISK_TYPES)
        else:
            assert not hh.identified_month and not hh.risk_types
    assert {h.household_type for h in households} <= {HouseholdType.FORMERLY_POOR, HouseholdType.ORDINARY}
    assert sum(len(v) for v in records.values()) == result.incomes == 300 * 12


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    make(120, seed=11)
    first = digest(TOWNSHIP)
    make(120, seed=11, replace=True)
    assert digest(TOWNSHIP) == first
    make(120, seed=12, replace=True)
    assert digest(TOWNSHIP) != first


@pytest.mark.django_db
def test_generator_processes_give_the_same_data():
    make(150, seed=3, workers=0, chunk=40)
    in_process = digest(TOWNSHIP)
    make(150, seed=3, workers=2, chunk=40, replace=True)
    assert digest(TOWNSHIP) == in_process


@pytest.mark.django_db
def test_ids_stay_unique_next_to_existing_people_of_the_same_county():
    make(200, area=TOWNSHIP, seed=5)
    make(200, area=OTHER_TOWNSHIP, seed=5)  # same county, same seed: same birth dates come up again
    ids = list(Member.objects.filter(household__county_code="140321").values_list("id_number", flat=True))
    assert len(ids) == len(set(ids)) > 800


@pytest.mark.django_db
def test_income_levels_and_shares_over_a_larger_sample():
    make(2000, area="140321", seed=2026)
    rows = list(
        Household.objects.filter(county_code="140321").values_list(
            "household_type", "per_capita_income", "size", "category"
        )
    )
    assert len(rows) == 2000
    poor = [pc for t, pc, _s, _c in rows if t == HouseholdType.FORMERLY_POOR]
    assert 0.25 <= len(poor) / len(rows) <= 0.35
    assert 12_000 <= sum(poor) / len(poor) <= 16_000
    line = Decimal(7100)
    assert 0.01 <= sum(1 for pc in poor if pc < line) / len(poor) <= 0.08
    assert 0.01 <= sum(1 for _t, pc, _s, _c in rows if pc < line) / len(rows) <= 0.08
    assert 2.3 <= sum(s for _t, _pc, s, _c in rows) / len(rows) <= 2.7
    categories = Counter(c for *_rest, c in rows if c)
    assert 0.03 <= sum(categories.values()) / len(rows) <= 0.065
    assert set(categories) == {Category.UNSTABLE, Category.MARGINAL, Category.SUDDEN}
    health = Counter(Member.objects.filter(household__county_code="140321").values_list("health", flat=True))
    people = sum(health.values())
    assert health["健康"] / people > 0.85
    assert 0.005 <= health["患大病"] / people <= 0.02 and 0.01 <= health["残疾"] / people <= 0.03


@pytest.mark.django_db
def test_refuses_an_area_with_households_unless_replace():
    make(30)
    with pytest.raises(ApplicationError, match="--replace"):
        make(10)
    make(20, area=OTHER_TOWNSHIP)
    result = make(10, replace=True)
    assert result.deleted == 30
    assert Household.objects.filter(township_code=TOWNSHIP).count() == 10
    assert Household.objects.filter(township_code=OTHER_TOWNSHIP).count() == 20  # other areas untouched
    assert not Member.objects.filter(household__isnull=True).exists()


@pytest.mark.django_db
def test_cli_records_a_job_and_exits_1_on_refusal(capsys):
    from fanpin.cli import main
    from fanpin.core.models import Job

    args = ["synth", "--households", "25", "--seed", "1", "--area", TOWNSHIP, "--end", END]
    assert main(args) == 0
    job = Job.objects.get(kind="registry.synth")
    assert job.status == "succeeded" and job.counts["农户"] == 25
    assert main(args) == 1
    assert "已有 25 户" in capsys.readouterr().err
    assert main([*args, "--replace"]) == 0
    assert Household.objects.filter(township_code=TOWNSHIP).count() == 25


@pytest.mark.django_db
def test_bad_arguments_are_refused_in_chinese():
    with pytest.raises(ApplicationError, match="不存在"):
        households_synthesize(actor="测试", households=5, seed=1, area_code="149999", end=END)
    with pytest.raises(ApplicationError, match="户数"):
        households_synthesize(actor="测试", households=0, seed=1, area_code=TOWNSHIP, end=END)
    with pytest.raises(ApplicationError, match="YYYYMM"):
        parse_end("202513")
    with pytest.raises(ApplicationError, match="尚未结束"):
        parse_end("202611", today=date(2026, 11, 23))
    assert parse_end(None, today=date(2026, 1, 5)) == (2025, 12)


@pytest.mark.django_db
def test_demo_step_runs_once():
    from fanpin.core.demo import DEMO_STEPS, demo_households_synthesize

    assert ("合成农户", demo_households_synthesize) in DEMO_STEPS
    demo_households_synthesize()
    count = Household.objects.filter(county_code="140321").count()
    assert count == 3000
    assert "未新增" in demo_households_synthesize()
    assert Household.objects.filter(county_code="140321").count() == count


def test_money_and_per_capita_match_decimal_rounding():
    for net in (0, 1, 5, 7, 100, 12345, 999_999_99, 10**9 + 3):
        for size in range(1, 8):
            expected = (Decimal(net) / 100 / size).quantize(CENT, ROUND_HALF_UP)
            assert Decimal(synth.money(synth.per_capita_cents(net, size))) == expected
    assert synth.money(123456) == "1234.56" and synth.money(5) == "0.05" and synth.money(-5) == "-0.05"


def test_pure_generator_is_deterministic_and_within_bounds():
    villages = [synth.Village(f"140321201{i:03d}", f"测试{i}村") for i in range(200, 210)]
    a = list(synth.generate(villages, 200, seed=1, end_year=2025, end_month=10))
    b = list(synth.generate(villages, 200, seed=1, end_year=2025, end_month=10))
    assert a == b
    c = list(synth.generate(villages, 200, seed=2, end_year=2025, end_month=10))
    assert a != c
    size = synth.H["size"]
    assert all(1 <= h.household[size] == len(h.members) <= 7 for h in a)
    assert all(len(row) == len(synth.HOUSEHOLD_COLUMNS) for h in a for row in [h.household])
    assert all(len(m) == len(synth.MEMBER_COLUMNS) for h in a for m in h.members)
    assert all(len(i) == len(synth.INCOME_COLUMNS) and "." in i[4] for h in a for i in h.incomes)


@pytest.mark.django_db
def test_fast_delete_respects_protected_references():
    from django.db import transaction

    from fanpin.divisions.models import Division
    from fanpin.registry.services.synth import _raw_delete

    make(5)
    village = Household.objects.filter(township_code=TOWNSHIP).first().village_id
    with pytest.raises(ApplicationError, match="受保护"), transaction.atomic():
        _raw_delete(Division, "code = %s", [village])  # households point at villages with PROTECT
    assert Division.objects.filter(code=village).exists()


def _registry_schema() -> list[tuple]:
    """The foreign keys and indexes of the three registry tables, as PostgreSQL reports them."""
    from django.db import connection

    tables = [m._meta.db_table for m in (Household, Member, IncomeRecord)]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        keys = cur.fetchall()
        cur.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        return keys + cur.fetchall()


def _foreign_key_count() -> int:
    return sum(1 for row in _registry_schema() if row[2].startswith("FOREIGN KEY"))


@pytest.mark.django_db
def test_fresh_postgres_load_rebuilds_keys_and_indexes_and_gives_the_same_data(monkeypatch):
    from django.db import connection

    from fanpin.registry.services import synth as synth_service

    if connection.vendor != "postgresql":
        pytest.skip("the fresh-load path is PostgreSQL's (the PostgreSQL pass of scripts/test runs it)")
    before = _registry_schema()
    assert _foreign_key_count() >= 3  # household→village, member→household, income→household
    seen_during_load = []
    monkeypatch.setattr(synth_service, "FRESH_LOAD_FROM", 1)
    make(
        150,
        seed=3,
        workers=0,
        chunk=40,
        on_progress=lambda done, total: seen_during_load.append(_foreign_key_count()),
    )
    fresh = digest(TOWNSHIP)
    assert seen_during_load[-1] == 0  # the keys were really off while loading
    assert _registry_schema() == before  # and are back, with every index, exactly as migrations made them

    monkeypatch.setattr(synth_service, "FRESH_LOAD_FROM", 10**9)
    make(150, seed=3, workers=0, chunk=40, replace=True)
    assert digest(TOWNSHIP) == fresh


@pytest.mark.django_db
def test_fresh_postgres_load_that_fails_leaves_nothing(monkeypatch):
    from django.db import connection

    from fanpin.registry.services import synth as synth_service

    if connection.vendor != "postgresql":
        pytest.skip("the fresh-load path is PostgreSQL's (the PostgreSQL pass of scripts/test runs it)")
    before = _registry_schema()
    monkeypatch.setattr(synth_service, "FRESH_LOAD_FROM", 1)

    def stop(done, total):
        if done >= 80:
            raise RuntimeError("断电")

    with pytest.raises(RuntimeError):
        make(150, seed=3, workers=0, chunk=40, on_progress=stop)
    assert (
        not Household.objects.exists() and not Member.objects.exists() and not IncomeRecord.objects.exists()
    )
    assert _registry_schema() == before

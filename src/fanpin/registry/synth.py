"""Synthetic households (合成农户) for demos, tests and benchmarks. Pure generation, no Django queries.

`generate(...)` yields one `SynthHousehold` per household: a row tuple for `registry.Household` in
HOUSEHOLD_COLUMNS order, member rows in MEMBER_COLUMNS order and 12 monthly income rows in
INCOME_COLUMNS order. Values are plain Python values ready for a DB-API cursor: str, int, bool, None;
dates as "YYYY-MM-DD"; money as exact cent strings ("1234.56") — never floats.

Reproducible: only `random.Random` instances seeded from (seed, county code) are used, so the same
arguments (and the same pre-existing ID numbers passed as `taken`) give identical rows.

Realism, in short (all shares are of households unless said otherwise):
- 1–7 people (mean ≈ 2.5): head, spouse, children, a married child with grandchildren, or the head's
  parents; ages consistent (parents 21–35 years older than their children).
- ID numbers: region = the county code of the village, birth date = `birth_date`, odd sequence for men,
  even for women; unique per (county, birth date, sex) by a counter (a full day moves to the day before).
  Numbers equal `idnumber.make(region, birth, seq)` (computed here with precomputed weighted sums).
- ~30 % 脱贫户; per-capita net income lognormal around a median of 13,000 (脱贫户) / 15,500 (一般农户)
  before shocks (20 % lower without labour); policy transfers (pensions, 低保, 特困, disability and
  eco-compensation) follow the members; wages and farming make up the rest.
- Shocks (illness, disaster, job loss, dropout, unsafe house) hit a few percent; 3–6 % become 监测对象.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import exp, log
from typing import NamedTuple

from fanpin.registry.choices import SCHOOL_GRADES, Category, HouseholdType
from fanpin.registry.idnumber import CHECK_CHARS, WEIGHTS

HOUSEHOLD_COLUMNS = (
    "id", "code", "village_id", "province_code", "city_code", "county_code", "township_code",
    "household_type", "address", "phone", "head_name", "size", "whole_no_labour", "relocated",
    "category", "identified_month", "risk_types", "risk_eliminated", "elimination_method", "eliminated_month",
    "house_area", "house_grade", "water_quantity_ok", "water_quality_ok", "water_convenience_ok",
    "water_reliability_ok", "dropout", "cultivated_area", "forest_area", "returned_farmland_area",
    "orchard_area", "pasture_area", "water_surface_area", "road_distance", "road_hardened", "sanitary_toilet",
    "net_income", "per_capita_income", "collector", "collector_phone", "extra", "version", "created_at",
    "updated_at", "house_dangerous", "water_secured", "member_uninsured",
)  # fmt: skip
# Written only where the model has them (the national-format flags may move); others are required.
OPTIONAL_COLUMNS = frozenset({"house_dangerous", "water_secured", "member_uninsured"})
MEMBER_COLUMNS = (
    "household_id", "name", "id_type", "id_number", "sex", "birth_date", "relation", "ethnicity", "education",
    "school_status", "not_in_school_reason", "health", "disability_grade", "labour_skill", "work_place",
    "work_months", "welfare_job", "resident_medical", "employee_medical", "critical_illness",
    "resident_pension", "employee_pension", "dibao", "tekun", "phone", "extra",
)  # fmt: skip
INCOME_COLUMNS = (
    "household_id", "year", "month", "months", "wage", "business", "property_income", "transfer",
    "business_cost", "claims", "out_of_pocket",
)  # fmt: skip
H = {name: i for i, name in enumerate(HOUSEHOLD_COLUMNS)}
M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}

DEFAULT_LINE_CENTS = 710_000  # 监测范围 used only to decide who is monitored (Shanxi 2023: 7,100 yuan)

# Household size 1..7, mean 2.51 (rural Shanxi: many elderly one- and two-person households).
SIZE_SHARES = {1: 250, 2: 360, 3: 170, 4: 120, 5: 60, 6: 30, 7: 10}
SIZE_TABLE = [size for size, per_mille in SIZE_SHARES.items() for _ in range(per_mille)]

# Common surnames in Shanxi, most common first (repeated by weight).
_SURNAMES = "王李张刘赵杨郭武陈梁韩吴孙高田马任冯牛贾乔白郝侯薛胡段闫董宋程秦范许霍史崔石常康耿"
SURNAMES = [s for i, s in enumerate(_SURNAMES) for _ in range(max(1, 8 - i // 5))]
N_SURNAMES = len(SURNAMES)
MALE_CHARS = "伟强军建国平明文华志勇斌刚海东峰俊涛亮鹏飞宇浩杰鑫磊超波云龙福贵生有才旺宝成林忠永全德兵红卫"
FEMALE_CHARS = "丽娟霞英芳萍艳红梅玲燕敏静婷雪琴秀兰凤桂珍慧佳欣怡雨晨悦春花翠萍莉芬娥月琳"
ETHNICITIES = ["汉族"] * 995 + ["回族"] * 3 + ["满族"] * 1 + ["蒙古族"] * 1
WORK_PLACES_AWAY = ["省内县外"] * 7 + ["省外"] * 3
WELFARE_JOBS = ["护林员", "保洁员", "乡村公益性岗位", "护路员"]
DROPOUT_REASONS = ["厌学", "学习困难", "家庭经济困难", "其他"]
DISABILITY_GRADES = ["一级"] * 10 + ["二级"] * 25 + ["三级"] * 30 + ["四级"] * 35
EDUCATION_BY_AGE = [  # (minimum age, [(education, per mille), …])
    (70, [("文盲或半文盲", 400), ("小学", 450), ("初中", 150)]),
    (50, [("文盲或半文盲", 30), ("小学", 350), ("初中", 500), ("高中", 120)]),
    (30, [("小学", 80), ("初中", 550), ("高中", 200), ("中职", 100), ("大专", 50), ("本科及以上", 20)]),
    (16, [("初中", 300), ("高中", 250), ("中职", 200), ("大专", 150), ("本科及以上", 100)]),
]
EDUCATION_TABLES = [(age, [e for e, n in shares for _ in range(n)]) for age, shares in EDUCATION_BY_AGE]

PRIMARY = SCHOOL_GRADES[1:10]  # 一年级 … 九年级
HIGH = [g for g in SCHOOL_GRADES if g.startswith("高中")]
VOCATIONAL = [g for g in SCHOOL_GRADES if g.startswith("中职")]
COLLEGE = [g for g in SCHOOL_GRADES if g.startswith("高职高专")]
UNIVERSITY = [g for g in SCHOOL_GRADES if g.startswith("本科")]
PRESCHOOL = SCHOOL_GRADES[0]

ZERO = "0.00"
ZEROS = [0] * 12
ZERO_STRINGS = [ZERO] * 12
ONES = [1] * 12
_CENTS = [f".{i:02d}" for i in range(100)]

# Risk types as in choices.RISK_TYPES.
ILLNESS, DISABILITY, STUDY, DISASTER, ACCIDENT, JOBS, NO_LABOUR = (
    "因病", "因残", "因学", "因自然灾害", "因意外事故", "因务工就业不稳", "缺劳动力",
)  # fmt: skip
HOUSE, WATER, DROPOUT = "住房出现安全问题", "饮水出现安全问题", "义务教育阶段适龄儿童少年失学辍学"

HEAD, SPOUSE = "户主", "配偶"
ORDINARY, SKILLED, WEAK, LOST, NONE = (
    "普通劳动力",
    "技能劳动力",
    "弱劳动力或半劳动力",
    "丧失劳动力",
    "无劳动力",
)
HEALTHY, CHRONIC, SERIOUS, DISABLED = "健康", "长期慢性病", "患大病", "残疾"
ENJOY, NOT_ENJOY = "享受", "未享受"


def money(cents: int) -> str:
    """Exact yuan string with two decimals from integer cents."""
    if cents < 0:
        return "-" + money(-cents)
    return str(cents // 100) + _CENTS[cents % 100]


def per_capita_cents(net_cents: int, size: int) -> int:
    """net / size rounded to the cent, half away from zero (as Decimal.quantize(ROUND_HALF_UP))."""
    sign = -1 if net_cents < 0 else 1
    q, rem = divmod(abs(net_cents), size)
    return sign * (q + (1 if 2 * rem >= size else 0))


def _patterns(rng: random.Random, count: int, base: Sequence[float], noise: float) -> list[tuple[int, ...]]:
    """`count` 12-month shapes near `base`, each a tuple of per-ten-thousand shares summing to 10000."""
    out = []
    for _ in range(count):
        raw = [max(0.0, b * (1 + noise * (2 * rng.random() - 1))) for b in base]
        total = sum(raw) or 1.0
        shares = [int(10000 * x / total) for x in raw]
        shares[shares.index(max(shares))] += 10000 - sum(shares)
        out.append(tuple(shares))
    return out


def _idle_pattern(rng: random.Random, idle: int) -> tuple[int, ...]:
    """Wage shape with `idle` months without wages around the Spring Festival (Dec–Mar)."""
    base = [1.0] * 12
    start = 11 - int(rng.random() * 2)  # idle months start in Nov or Dec (calendar index)
    for k in range(idle):
        base[(start + k) % 12] = 0.0
    return _patterns(rng, 1, base, 0.15)[0]


_PR = random.Random(20210101)  # fixed: the shapes are part of the algorithm, not of the seed
FLAT = _patterns(_PR, 64, [1.0] * 12, 0.12)
WAGE_SHAPES = {idle: [_idle_pattern(_PR, idle) for _ in range(16)] for idle in range(0, 10)}
HARVEST = _patterns(_PR, 64, [0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.4, 2.2, 2.6, 1.6, 0.8], 0.35)
COSTS = _patterns(_PR, 64, [0.3, 0.4, 1.6, 2.2, 1.8, 1.0, 0.8, 0.6, 0.8, 1.2, 0.6, 0.3], 0.35)
del _PR


def rotate(shapes: Sequence[Sequence[int]], first_calendar_month: int) -> list[tuple[tuple[int, ...], int]]:
    """Calendar-month shapes (Jan..Dec) reordered for a window starting at `first_calendar_month`,
    each with the index of its largest month (where rounding cents go)."""
    k = first_calendar_month - 1
    out = []
    for shape in shapes:
        rotated = tuple(shape[k:]) + tuple(shape[:k])
        out.append((rotated, rotated.index(max(rotated))))
    return out


def split(amount: int, shape: tuple[tuple[int, ...], int]) -> list[int]:
    """Split `amount` cents over the 12 window months by a rotated shape. Exact: sums to `amount`."""
    if amount == 0:
        return [0] * 12
    shares, peak = shape
    out = [amount * s // 10000 for s in shares]
    out[peak] += amount - sum(out)
    return out


def money_list(cents: Sequence[int]) -> list[str]:
    """money() over a list of non-negative amounts, zero as "0.00"."""
    return [str(x // 100) + _CENTS[x % 100] if x else ZERO for x in cents]


@dataclass(frozen=True)
class Village:
    code: str  # 12-digit village code
    name: str  # for the address, e.g. "岔口乡秋林庄村"


class SynthHousehold(NamedTuple):
    household: tuple
    members: list[tuple]
    incomes: list[tuple]


def allocate(villages: Sequence[str], households: int, seed: int) -> list[int]:
    """How many households go to each village: lognormal village weights, largest remainders."""
    if not villages:
        return []
    rng = random.Random(f"fanpin-synth|{seed}|allocate")
    weights = [rng.lognormvariate(0.0, 0.5) for _ in villages]
    total = sum(weights)
    exact = [households * w / total for w in weights]
    counts = [int(x) for x in exact]
    rest = households - sum(counts)
    order = sorted(range(len(villages)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


class IdAllocator:
    """Unique ID numbers within one county: one counter per (birth date, sex); 499 numbers each."""

    SLOTS = 499

    def __init__(self, region: str, taken: Container[str]):
        self.region = region
        self.taken = taken
        self.counts: dict[int, int] = {}
        self.region_sum = sum(int(d) * w for d, w in zip(region, WEIGHTS[:6], strict=True))

    @staticmethod
    def _date(ordinal: int) -> tuple[str, str, int]:
        cached = _DATES.get(ordinal)
        if cached is None:
            d = date.fromordinal(ordinal)
            digits = f"{d.year:04d}{d.month:02d}{d.day:02d}"
            weighted = sum(int(c) * w for c, w in zip(digits, WEIGHTS[6:14], strict=True))
            cached = _DATES[ordinal] = (d.isoformat(), digits, weighted)
        return cached

    def allocate(self, birth_ordinal: int, male: bool) -> tuple[str, str]:
        """-> (birth date "YYYY-MM-DD", ID number). Moves to earlier days if a day is full."""
        while True:
            key = birth_ordinal * 2 + male
            n = self.counts.get(key, 0)
            iso, digits, weighted = self._date(birth_ordinal)
            start = (birth_ordinal * 7919) % self.SLOTS
            while n < self.SLOTS:
                k = (start + n) % self.SLOTS
                n += 1
                seq = 2 * k + 1 if male else 2 * k + 2
                seq_str = SEQ_STR[seq]
                first17 = self.region + digits + seq_str
                number = first17 + CHECK_CHARS[(self.region_sum + weighted + SEQ_SUM[seq]) % 11]
                if number not in self.taken:
                    self.counts[key] = n
                    return iso, number
            self.counts[key] = n
            birth_ordinal -= 1


_DATES: dict[int, tuple[str, str, int]] = {}  # ordinal -> (ISO date, YYYYMMDD, weighted digit sum)
SEQ_STR = [f"{s:03d}" for s in range(1000)]
SEQ_SUM = [sum(int(c) * w for c, w in zip(s, WEIGHTS[14:17], strict=True)) for s in SEQ_STR]


class _Person:
    __slots__ = (
        "relation", "male", "age", "birth_ordinal", "exact_age", "school", "education", "reason",
        "health", "disability", "labour", "work_place", "work_months", "welfare_job", "wage",
    )  # fmt: skip

    def __init__(self, relation: str, male: bool, age: int):
        self.relation, self.male, self.age = relation, male, max(0, age)
        self.school = self.education = self.reason = self.disability = self.work_place = self.welfare_job = ""
        self.health, self.labour, self.work_months, self.wage = HEALTHY, NONE, None, 0


def _compose(r: Callable[[], float], size: int) -> list[_Person]:
    """Relations, sexes and target ages of a household of `size` people."""
    if size == 1:
        age = 60 + int(r() * 29) if r() < 0.72 else 32 + int(r() * 28)
        return [_Person(HEAD, r() < 0.62, age)]
    head_male = r() < 0.9
    if size == 2:
        x = r()
        if x < 0.84:
            age = 58 + int(r() * 28) if x < 0.62 else 40 + int(r() * 20)
            head = _Person(HEAD, head_male, age)
            return [head, _spouse(r, head)]
        head_male = r() < 0.55
        if r() < 0.55:
            age = 62 + int(r() * 22)
            child_age = age - 24 - int(r() * 12)
        else:
            age = 30 + int(r() * 18)
            child_age = min(17, max(0, age - 22 - int(r() * 12)))
        return [_Person(HEAD, head_male, age), _child(r, child_age)]
    age = 26 + int((r() + r()) * 22)  # 26–69, most 40–55
    head = _Person(HEAD, head_male, age)
    people = [head]
    if r() < 0.92:
        people.append(_spouse(r, head))
    mother_age = people[1].age if len(people) > 1 and head_male else (age if not head_male else age - 2)
    remaining = size - len(people)
    if age >= 48 and remaining >= 3 and r() < 0.75:
        son = r() < 0.8
        child_age = max(20, mother_age - 22 - int(r() * 8))
        child = _Person("之子" if son else "之女", son, child_age)
        in_law = _Person("之儿媳" if son else "之女婿", not son, child_age + int(r() * 7) - 3)
        people += [child, in_law]
        remaining -= 2
        parent_age = in_law.age if son else child.age
        gc_age = parent_age - 22 - int(r() * 8)
        for _ in range(remaining):
            male = r() < 0.52
            people.append(_Person("之孙子" if male else "之孙女", male, max(0, gc_age)))
            gc_age -= 2 + int(r() * 4)
        return people
    if age < 50 and remaining >= 2 and r() < 0.3:
        father_age = age + 24 + int(r() * 8)
        if remaining >= 3 and r() < 0.6:
            people.append(_Person("之父", True, father_age))
            people.append(_Person("之母", False, father_age - int(r() * 4)))
            remaining -= 2
        else:
            mother = r() < 0.65
            people.append(
                _Person("之母" if mother else "之父", not mother, father_age - (2 if mother else 0))
            )
            remaining -= 1
    child_age = mother_age - 21 - int(r() * 10)
    for _ in range(remaining):
        people.append(_child(r, max(0, child_age)))
        child_age -= 2 + int(r() * 5)
    return people


def _spouse(r: Callable[[], float], head: _Person) -> _Person:
    gap = int(r() * 8) - 5 if head.male else int(r() * 6)
    return _Person(SPOUSE, not head.male, head.age + gap)


def _child(r: Callable[[], float], age: int) -> _Person:
    male = r() < 0.52
    return _Person("之子" if male else "之女", male, age)


def _name(r: Callable[[], float], surname: str, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    n = len(chars)
    if r() < 0.3:
        return surname + chars[int(r() * n)]
    return surname + chars[int(r() * n)] + chars[int(r() * n)]


def _phone(r: Callable[[], float]) -> str:
    return f"1{'35789'[int(r() * 5)]}{int(r() * 1e9):09d}"


def _area(r: Callable[[], float], low: float, high: float, step: int = 10) -> str:
    """A land or house area with 0.1 precision, as an exact string."""
    tenths = int((low + (high - low) * r()) * 10)
    tenths -= tenths % step if step > 1 else 0
    return f"{tenths // 10}.{tenths % 10}0"


def _school(p: _Person, r: Callable[[], float], school_age: int) -> None:
    """School status by the age on 31 August of the current school year."""
    a = school_age
    if a < 3:
        return
    if a < 6:
        if r() < 0.9:
            p.school, p.education = PRESCHOOL, "学龄前儿童"
        else:
            p.education = "学龄前儿童"
        return
    if a <= 14:
        p.school = PRIMARY[a - 6]
        p.education = "小学" if a <= 11 else "初中"
        return
    if a <= 17:
        x = r()
        if x < 0.68:
            p.school, p.education = HIGH[a - 15], "高中"
        elif x < 0.90:
            p.school, p.education = VOCATIONAL[a - 15], "中职"
        else:
            p.education = "初中"
        return
    if a <= 21:
        x = r()
        if x < 0.22:
            p.school, p.education = COLLEGE[min(a - 18, 2)], "大专"
        elif x < 0.42:
            p.school, p.education = UNIVERSITY[a - 18], "本科及以上"


@dataclass(frozen=True)
class CountyPlan:
    """One county's share of a run. Counties are independent (own random stream, own ID counters and
    a fixed block of household ids), so they can be generated in any order or in parallel processes."""

    county: str
    villages: tuple[tuple[Village, int], ...]  # (village, households), in code order
    offset: int  # index of the county's first household in the whole run
    households: int


def plan(villages: Sequence[Village], households: int, seed: int) -> list[CountyPlan]:
    """Spread `households` over `villages` and group them by county, in village-code order."""
    villages = sorted(villages, key=lambda v: v.code)
    counts = allocate([v.code for v in villages], households, seed)
    plans: list[CountyPlan] = []
    current: list[tuple[Village, int]] = []
    offset = total = 0
    for village, count in zip(villages, counts, strict=True):
        if current and village.code[:6] != current[0][0].code[:6]:
            plans.append(CountyPlan(current[0][0].code[:6], tuple(current), offset, total))
            offset, total, current = offset + total, 0, []
        if count > 0:
            current.append((village, count))
            total += count
    if current:
        plans.append(CountyPlan(current[0][0].code[:6], tuple(current), offset, total))
    return plans


def share(plans: Sequence[CountyPlan], workers: int) -> list[list[CountyPlan]]:
    """Split counties over `workers` by size (largest first to the least loaded worker)."""
    loads = [[0, i, []] for i in range(workers)]
    for p in sorted(plans, key=lambda p: (-p.households, p.county)):
        least = min(loads, key=lambda x: (x[0], x[1]))
        least[0] += p.households
        least[2].append(p)
    return [sorted(x[2], key=lambda p: p.county) for x in loads]


class Generator:
    """Generates counties' households; a county always comes out the same, whatever else runs."""

    def __init__(
        self,
        *,
        seed: int,
        end_year: int,
        end_month: int,
        first_id: int = 1,
        now: str = "",
        taken: Callable[[str], Container[str]] | None = None,
        line_cents: int = DEFAULT_LINE_CENTS,
    ):
        self.seed = seed
        self.end_year, self.end_month = end_year, end_month
        self.window = [
            (i // 12, i % 12 + 1) for i in range(end_year * 12 + end_month - 12, end_year * 12 + end_month)
        ]
        first = self.window[0][1]
        self.years = [y for y, _ in self.window]
        self.months = [m for _, m in self.window]
        self.flat = rotate(FLAT, first)
        self.wage_shapes = {idle: rotate(shapes, first) for idle, shapes in WAGE_SHAPES.items()}
        self.harvest = rotate(HARVEST, first)
        self.costs = rotate(COSTS, first)
        nxt = date(end_year + (end_month == 12), end_month % 12 + 1, 1)
        self.ref = nxt - timedelta(days=1)  # last day of the end month: ages are counted at this date
        self.ref_ordinal = self.ref.toordinal()
        self.school_year = self.ref.year if self.ref.month >= 9 else self.ref.year - 1
        self.first_id = self.next_id = first_id
        self.now = now
        self.taken = taken or (lambda county: ())
        self.line = line_cents

    def county(self, plan: CountyPlan) -> Iterator[SynthHousehold]:
        rng = random.Random(f"fanpin-synth|{self.seed}|{plan.county}")
        ids = IdAllocator(plan.county, self.taken(plan.county))
        self.next_id = self.first_id + plan.offset
        for village, count in plan.villages:
            collector = (
                _name(rng.random, SURNAMES[int(rng.random() * N_SURNAMES)], rng.random() < 0.6),
                _phone(rng.random),
            )
            for serial in range(1, count + 1):
                yield self._household(rng, ids, village, serial, collector)

    def run(self, plans: Iterable[CountyPlan]) -> Iterator[SynthHousehold]:
        for county_plan in plans:
            yield from self.county(county_plan)

    # One household ---------------------------------------------------------------------------------

    def _household(
        self, rng: random.Random, ids: IdAllocator, village: Village, serial: int, collector: tuple[str, str]
    ) -> SynthHousehold:
        r = rng.random
        hid = self.next_id
        self.next_id += 1
        size = SIZE_TABLE[int(r() * 1000)]
        poor = r() < 0.30
        people = _compose(r, size)
        for p in people:
            self._person(p, r, poor)

        # Shocks (before income: they change members and the monthly amounts).
        illness = disaster = job_loss = dropout = house_shock = -1  # window month index of the shock
        accident = False
        if r() < 0.006:  # serious illness or an accident: 患大病, big out-of-pocket spending, wages lost
            adults = [p for p in people if p.exact_age >= 18 and p.health != SERIOUS]
            if adults:
                p = adults[int(r() * len(adults))]
                p.health, p.labour, p.disability = SERIOUS, LOST if r() < 0.7 else WEAK, ""
                illness = int(r() * 12)
                accident = r() < 0.25
        if r() < 0.015:
            disaster = int(r() * 12)
        if r() < 0.005:
            kids = [p for p in people if p.school in PRIMARY]
            if kids:
                kid = kids[int(r() * len(kids))]
                kid.reason, kid.school = DROPOUT_REASONS[int(r() * len(DROPOUT_REASONS))], ""
                dropout = 0
        if r() < 0.005:
            house_shock = int(r() * 12)

        grade = "A" if (x := r()) < 0.70 else ("B" if x < 0.997 else ("C" if x < 0.999 else "D"))
        if house_shock >= 0 or (disaster >= 0 and r() < 0.2):
            grade = "C" if r() < 0.7 else "D"
            house_shock = max(house_shock, disaster)
        water = [True, True, True, True]
        if r() < 0.006:
            water[int(r() * 4)] = False

        # Household-level policies: 特困 (single elderly without labour), 低保.
        has_labour = [p for p in people if p.labour in (ORDINARY, SKILLED, WEAK)]
        tekun = size == 1 and people[0].exact_age >= 60 and not has_labour and r() < 0.3
        dibao_p = (0.14 if poor else 0.03) * (3 if not has_labour else 1)
        dibao = not tekun and r() < dibao_p
        dibao_all = dibao and r() < 0.6

        # Land.
        cultivated = _area(r, 0.5, 12.0, 5) if r() < 0.93 else "0.00"
        forest = _area(r, 0.5, 20.0) if r() < 0.35 else None
        returned = _area(r, 0.5, 8.0) if r() < 0.2 else None
        orchard = _area(r, 0.3, 4.0) if r() < 0.1 else None
        pasture = _area(r, 1.0, 10.0) if r() < 0.02 else None
        water_surface = _area(r, 0.2, 2.0) if r() < 0.005 else None

        # ---- Annual income components (cents), structural first. ----
        wage = business = cost = prop = transfer = 0
        for p in has_labour:
            wage += p.wage
        cult_mu = float(cultivated)
        if cult_mu:
            gross = int(cult_mu * (50000 + r() * 70000))
            business += gross
            cost += int(gross * (0.35 + 0.2 * r()))
        if r() < 0.25 and has_labour:
            gross = int(300000 + r() * 1200000)  # livestock
            business += gross
            cost += int(gross * (0.4 + 0.2 * r()))
        if poor and r() < 0.4:
            prop += int(30000 + r() * 120000)  # 光伏 / 集体经济分红
        if r() < 0.15:
            prop += int(20000 + r() * 180000)  # 土地流转租金
        for p in people:
            if p.exact_age >= 60:
                transfer += 12 * (16000 + (2000 if p.exact_age >= 75 else 0) + int(r() * 3000))
            if p.health == DISABLED:
                transfer += 12 * (6600 + (8900 if p.disability in ("一级", "二级") else 0))
            if poor and p.school in VOCATIONAL or poor and p.school in COLLEGE:
                transfer += 300000  # 雨露计划
        covered = size if dibao_all else sum(1 for p in people if p.labour not in (ORDINARY, SKILLED))
        if dibao:
            covered = max(1, covered)
            transfer += covered * 12 * (35000 + int(r() * 12000))
        if tekun:
            transfer += 12 * (60000 + int(r() * 15000))
        if returned:
            transfer += int(float(returned) * 9000)
        if forest:
            transfer += int(float(forest) * 1050)

        # Calibrate to a lognormal per-capita target (policy transfers and property kept as they are).
        median = 1_300_000 if poor else 1_550_000
        if not has_labour:
            median = median * 8 // 10
        target = int(exp(log(median) + rng.gauss(0.0, 0.30 if poor else 0.32)) * size)
        market = wage + business - cost
        needed = target - transfer - prop
        if market > 0:
            factor = min(3.0, max(0.25, needed / market))
            wage, business, cost = int(wage * factor), int(business * factor), int(cost * factor)
            needed -= wage + business - cost
        if needed > 0:  # the rest: odd jobs (零工) if anyone can work, else 赡养费 from children elsewhere
            if has_labour:
                wage += needed
            else:
                transfer += needed

        # ---- Monthly records. ----
        idle = 12 - max((p.work_months or 0 for p in has_labour if p.work_place), default=12)
        w = split(wage, self.wage_shapes[min(idle, 9)][int(r() * 16)])
        b = split(business, self.harvest[int(r() * 64)])
        c = split(cost, self.costs[int(r() * 64)])
        if prop and r() < 0.5:
            pr = [0] * 12
            pr[int(r() * 12)] = prop
        else:
            pr = split(prop, self.flat[int(r() * 64)])
        t = [transfer // 12] * 12
        t[-1] += transfer - sum(t)
        claims = oop = ZEROS

        if wage and r() < 0.03:
            job_loss = int(r() * 12)
            keep = 0.3 * r()
            for i in range(job_loss, 12):
                w[i] = int(w[i] * keep)
        if disaster >= 0 and business:
            keep = 0.2 + 0.3 * r()
            for i in range(disaster, 12):
                b[i] = int(b[i] * keep)
        if illness >= 0:
            claims, oop = [0] * 12, [0] * 12
            total = int(2_000_000 + r() * 10_000_000)  # 2–12 万 out of pocket
            months = min(4, 12 - illness)
            for i in range(illness, illness + months):
                oop[i] = total // months
            oop[illness + months - 1] += total - sum(oop)
            if r() < 0.6:
                paid = int(total * (0.3 + 0.3 * r()))
                claims[min(11, illness + 1)] = paid
            ill_share = 0.5 + 0.5 * r()
            for i in range(illness, 12):
                w[i] = int(w[i] * (1 - ill_share))
        elif r() < 0.04:  # ordinary medical spending
            oop = [0] * 12
            oop[int(r() * 12)] = int(50000 + r() * 500000)

        incomes = list(
            zip(
                [hid] * 12, self.years, self.months, ONES, money_list(w), money_list(b), money_list(pr),
                money_list(t), money_list(c), ZERO_STRINGS if claims is ZEROS else money_list(claims),
                ZERO_STRINGS if oop is ZEROS else money_list(oop), strict=True,
            )
        )  # fmt: skip
        net = sum(w) + sum(b) + sum(pr) + sum(t) - sum(c)
        pc = per_capita_cents(net, size)

        # ---- Monitoring (监测对象): risks, category, identification month. ----
        risks = []
        if accident:
            risks.append(ACCIDENT)
        seriously_ill = (
            sum(1 for p in people if p.health == SERIOUS) - accident
        )  # the injured one is not 因病
        if illness >= 0 and not accident or seriously_ill > 0:
            risks.append(ILLNESS)
        if disaster >= 0:
            risks.append(DISASTER)
        if job_loss >= 0:
            risks.append(JOBS)
        if dropout >= 0:
            risks.append(DROPOUT)
        if grade in ("C", "D"):
            risks.append(HOUSE)
        if not all(water):
            risks.append(WATER)
        shocked = bool(risks)
        if any(p.health == DISABLED for p in people):
            risks.append(DISABILITY)
        if any(p.health == CHRONIC for p in people) and ILLNESS not in risks:
            risks.append(ILLNESS)
        if len(has_labour) * 2 < size:
            risks.append(NO_LABOUR)
        if any(p.school in VOCATIONAL or p.school in COLLEGE or p.school in UNIVERSITY for p in people):
            risks.append(STUDY)

        category = ""
        start = -1
        big = illness >= 0 and sum(oop) - sum(claims) >= 3_000_000 or disaster >= 0 and house_shock >= 0
        if big and r() < 0.75:
            category = Category.SUDDEN.value
            start = max(illness, disaster)
        elif pc < self.line * 13 // 10 and (shocked and r() < 0.7 or risks and r() < 0.25 or r() < 0.1):
            category = Category.UNSTABLE.value if poor else Category.MARGINAL.value
            start = max(illness, disaster, job_loss, house_shock)
        elif risks and pc < self.line * 2 and r() < 0.02:
            category = Category.UNSTABLE.value if poor else Category.MARGINAL.value
        identified = eliminated = method = ""
        risk_text = ""
        eliminated_flag = False
        if category:
            end_index = self.end_year * 12 + self.end_month - 1
            if start >= 0:
                index = end_index - 11 + min(11, start + int(r() * 3))
            else:
                index = max(2021 * 12 + 5, end_index - int(r() * 42))  # since June 2021
                if end_index - index >= 12 and pc >= self.line * 12 // 10 and r() < 0.4:
                    gone = index + 6 + int(r() * (end_index - index - 5))
                    eliminated_flag = True
                    eliminated = f"{gone // 12}{gone % 12 + 1:02d}"
                    method = "帮扶消除" if r() < 0.8 else "自然消除"
            identified = f"{index // 12}{index % 12 + 1:02d}"
            if not risks:
                risks.append(JOBS if has_labour else NO_LABOUR)
            risk_text = "|".join(risks[: 1 + int(r() * 3)])

        # ---- Rows. ----
        head_surname = SURNAMES[int(rng.random() * N_SURNAMES)]
        spouse_male = len(people) > 1 and people[1].relation == SPOUSE and people[1].male
        family_surname = (
            SURNAMES[int(rng.random() * N_SURNAMES)] if spouse_male else head_surname
        )  # children take the father's
        members = []
        head_name = head_phone = ""
        uninsured = False
        for p in people:
            rel = p.relation
            if rel == HEAD or rel == "之父":
                surname = head_surname
            elif rel in ("之子", "之女", "之孙子", "之孙女"):
                surname = family_surname
            else:
                surname = SURNAMES[int(rng.random() * N_SURNAMES)]
            name = _name(r, surname, p.male)
            birth, number = ids.allocate(p.birth_ordinal, p.male)
            phone = _phone(r) if 16 <= p.exact_age <= 75 and r() < 0.65 or rel == HEAD and r() < 0.9 else ""
            if rel == HEAD:
                head_name, head_phone = name, phone
            employee = p.work_place == "省外" and r() < 0.1
            resident = not employee and r() < 0.99
            uninsured = uninsured or not (resident or employee)
            adult = p.exact_age >= 16 and not p.school
            members.append(
                (
                    hid, name, "居民身份证", number, "男" if p.male else "女", birth, rel,
                    ETHNICITIES[int(r() * 1000)], p.education, p.school, p.reason, p.health, p.disability,
                    p.labour, p.work_place, p.work_months, p.welfare_job,
                    resident, employee, resident or employee, adult and not employee and r() < 0.93, employee,
                    ENJOY if dibao and (dibao_all or p.labour not in (ORDINARY, SKILLED)) else NOT_ENJOY,
                    ENJOY if tekun else NOT_ENJOY, phone, "{}",
                )
            )  # fmt: skip
        household = (
            hid, village.code + f"{serial:06d}", village.code, village.code[:2], village.code[:4], village.code[:6],
            village.code[:9], HouseholdType.FORMERLY_POOR.value if poor else HouseholdType.ORDINARY.value,
            f"{village.name}{serial}号", head_phone, head_name, size, not has_labour and (dibao or tekun),
            poor and r() < 0.08, category, identified, risk_text, eliminated_flag, method, eliminated,
            _area(r, 35, 160), grade, water[0], water[1], water[2], water[3], dropout >= 0,
            cultivated, forest, returned, orchard, pasture, water_surface, _area(r, 0, 3, 1), r() < 0.95,
            r() < 0.75, money(net), money(pc), collector[0], collector[1], "{}", 1, self.now, self.now,
            grade in ("C", "D"), all(water), uninsured,
        )  # fmt: skip
        return SynthHousehold(household, members, incomes)

    def _person(self, p: _Person, r: Callable[[], float], poor: bool) -> None:
        """Birth date, schooling, health and labour of one person."""
        ordinal = self.ref_ordinal - int(p.age * 365.2425) - int(r() * 365)
        p.birth_ordinal = ordinal
        born = date.fromordinal(ordinal)
        ref = self.ref
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        p.exact_age = age
        if age <= 22:
            school_age = self.school_year - born.year - ((born.month, born.day) > (8, 31))
            _school(p, r, school_age)
        if not p.education and age >= 16:
            for min_age, table in EDUCATION_TABLES:
                if age >= min_age:
                    p.education = table[int(r() * len(table))]
                    break
        x = r()
        chronic = 0.10 if age >= 60 else (0.05 if age >= 40 else 0.01)
        if x < 0.02:
            p.health, p.disability = DISABLED, DISABILITY_GRADES[int(r() * 100)]
        elif x < 0.027:
            p.health = SERIOUS
        elif x < 0.027 + chronic:
            p.health = CHRONIC
        # Labour skill by age and health.
        if age < 16 or p.school:
            p.labour = NONE
        elif p.health == SERIOUS or p.health == DISABLED and p.disability in ("一级", "二级"):
            p.labour = LOST if r() < 0.8 else WEAK
        elif age >= 70:
            y = r()
            p.labour = NONE if y < 0.7 else (LOST if y < 0.85 else WEAK)
        elif age >= 60:
            y = r()
            p.labour = ORDINARY if y < 0.35 else (WEAK if y < 0.85 else NONE)
        elif p.health != HEALTHY:
            p.labour = WEAK if r() < 0.6 else ORDINARY
        else:
            y = r()
            p.labour = ORDINARY if y < 0.80 else (SKILLED if y < 0.92 else WEAK)
        # Work (structural wage in cents per year; scaled to the household's income later).
        if p.labour in (ORDINARY, SKILLED) and age < 60:
            y = r()
            skill = 1.3 if p.labour == SKILLED else 1.0
            if y < 0.55 and age <= 55:
                p.work_place = WORK_PLACES_AWAY[int(r() * 10)]
                p.work_months = 6 + int(r() * 7)
                p.wage = int((300000 + r() * 250000) * skill) * p.work_months
            elif y < 0.85:
                p.work_place = "县内"
                p.work_months = 3 + int(r() * 8)
                p.wage = int((180000 + r() * 140000) * skill) * p.work_months
        elif p.labour in (ORDINARY, WEAK):
            if r() < (0.25 if poor else 0.08) and age < 70:
                p.welfare_job = WELFARE_JOBS[int(r() * len(WELFARE_JOBS))]
                p.wage = 12 * (60000 + int(r() * 40000))
            elif r() < 0.3:
                p.wage = int(200000 + r() * 400000)


def generate(
    villages: Sequence[Village],
    households: int,
    *,
    seed: int,
    end_year: int,
    end_month: int,
    first_id: int = 1,
    now: str = "",
    taken: Callable[[str], Container[str]] | None = None,
) -> Iterator[SynthHousehold]:
    """Spread `households` over `villages` and yield them one by one, in village-code order."""
    gen = Generator(
        seed=seed, end_year=end_year, end_month=end_month, first_id=first_id, now=now, taken=taken
    )
    return gen.run(plan(villages, households, seed))


def batches(items: Iterable[SynthHousehold], size: int) -> Iterator[list[SynthHousehold]]:
    batch: list[SynthHousehold] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

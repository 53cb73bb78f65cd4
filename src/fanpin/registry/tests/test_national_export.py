"""Export in the national format 《（自定义）监测对象信息》: the layout county staff's tools read
(two title rows, the header in row 3 in the national column order, one row per member, text cells),
only the asked area, and a round trip export → import → export that changes no cell."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from fanpin.core.jobs import job_enqueue, job_run_now
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.national.columns import HEADERS, TITLE
from fanpin.registry.national.export import export_national
from fanpin.registry.services.households import household_create, income_record_set, member_add
from fanpin.registry.tests.national_files import merge, parse, pid

pytestmark = pytest.mark.django_db

QLZ = "140321201249"  # 岔口乡 秋林庄村委会
DSM = "140321200201"  # 石门口乡 大石门村委会 (平定县, another township)
FYC = "140311100206"  # 郊区 荫营镇 矾窑村委会 (another county)
HA, HB, HC, HD = "1403212012490101", "1403212012490102", "1403212002010001", "1403111002060001"
DISABILITY_CARD = "14032119750610301242"  # 20 characters


def person(household, name, number, relation, **fields):
    return member_add(
        actor="测试", household=household, name=name, id_number=number, relation=relation, **fields
    )


@pytest.fixture
def households(fanpin_home):
    """Four households with varied fields: HA, HB in 秋林庄村, HC in 大石门村, HD in 郊区."""
    ha = household_create(
        actor="测试",
        code=HA,
        village_code=QLZ,
        household_type="脱贫户",
        phone="0353-6012345",
        category="突发严重困难户",
        identified_month="202404",
        risk_types="因自然灾害|因意外事故|其他",
        risk_eliminated=True,
        elimination_method="帮扶消除",
        eliminated_month="202501",
        whole_no_labour=False,
        house_dangerous=False,
        water_secured=True,
        member_uninsured=False,
        house_damaged_after=False,
        water_damaged_after=None,
        measures_recorded={
            "产业帮扶": "光伏收益分配",
            "住房安全保障": "危房改造",
            "就业帮扶": "外出务工补贴",
        },
        cultivated_area=Decimal("2.75"),
        forest_area=Decimal("10"),
        orchard_area=Decimal("0.50"),
        house_area=Decimal("120.00"),
        road_distance=Decimal("1.20"),
        road_hardened=True,
        sanitary_toilet=False,
        collector="张三",
        collector_phone="13812345678",
    )
    person(
        ha,
        "郭振华",
        pid(date(1972, 4, 3), 13),
        "户主",
        ethnicity="回族",
        education="高中",
        health="长期慢性病",
        labour_skill="技能劳动力",
        work_place="太原市小店区",
        welfare_job="护林员",
        dibao="未享受",
        tekun="不享受",
        resident_medical=True,
        critical_illness=True,
        resident_pension=True,
        employee_pension=False,
        phone="13700000001",
    )
    person(ha, "田秀梅", pid(date(1975, 6, 10), 24), "配偶", health="残疾", labour_skill="弱劳动力或半劳动力")
    person(ha, "郭晓", pid(date(2013, 11, 2), 36), "之女", education="小学", school_status="七年级")
    person(ha, "郭振英", DISABILITY_CARD, "兄弟姐妹", id_type="残疾人证", sex="女", health="残疾")
    income_record_set(
        actor="测试",
        household=ha,
        year=2025,
        month=1,
        months=12,
        wage=Decimal("18000.40"),
        business=Decimal("2500"),
        property_income=Decimal("360.5"),
        transfer=Decimal("4800"),
        business_cost=Decimal("900.30"),
        claims=Decimal("1200"),
        out_of_pocket=Decimal("3600.75"),
    )

    hb = household_create(
        actor="测试", code=HB, village_code=QLZ, household_type="一般农户", category="边缘易致贫户"
    )
    person(hb, "孙大年", pid(date(1950, 2, 28), 51), "户主", labour_skill="丧失劳动力", dibao="享受")
    person(hb, "Anna Li", "E12345678", "之儿媳", id_type="护照", sex="女", birth_date=date(1990, 5, 5))
    for month in range(1, 13):
        income_record_set(
            actor="测试",
            household=hb,
            year=2025,
            month=month,
            transfer=Decimal("600.10"),
            wage=Decimal("1000") if month > 6 else Decimal("0"),
        )

    hc = household_create(actor="测试", code=HC, village_code=DSM, household_type="一般农户")
    person(hc, "冯二", pid(date(1966, 8, 8), 71), "户主")

    hd = household_create(actor="测试", code=HD, village_code=FYC, household_type="一般农户")
    person(hd, "外县人", pid(date(1980, 1, 1), 91, region="140311"), "户主")
    return ha, hb, hc, hd


def export_county(path):
    return export_national(
        households=Household.objects.filter(county_code="140321"),
        path=path,
        area_name="山西省阳泉市平定县",
        area_code="140321",
    )


def load_sheet(path):
    return openpyxl.load_workbook(path).active


def data_rows(sheet) -> list[list[str | None]]:
    width = len(HEADERS)
    return [list(row[:width]) for row in sheet.iter_rows(min_row=4, values_only=True)]


def rows_by_id(sheet) -> dict[str, dict[str, str | None]]:
    return {row[HEADERS.index("证件号码")]: dict(zip(HEADERS, row, strict=True)) for row in data_rows(sheet)}


def test_layout_title_rows_header_order_one_row_per_member(households, tmp_path):
    path = tmp_path / "out.xlsx"

    assert export_county(path) == 7

    sheet = load_sheet(path)
    assert sheet.cell(1, 1).value == TITLE == "（自定义）监测对象信息"
    assert "平定县" in sheet.cell(2, 1).value and "140321" in sheet.cell(2, 1).value
    assert [c.value for c in sheet[3]] == HEADERS
    assert HEADERS[:4] == ["县", "乡", "村", "户编号"]
    rows = data_rows(sheet)
    assert len(rows) == Member.objects.filter(household__county_code="140321").count() == 7
    codes = [r[HEADERS.index("户编号")] for r in rows]
    assert codes == [HC] + [HA] * 4 + [HB] * 2  # households by 户编号, members in the order entered


def test_all_cells_are_text(households, tmp_path):
    path = tmp_path / "out.xlsx"
    export_county(path)
    sheet = load_sheet(path)
    seen = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value not in (None, ""):
                assert cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
                seen += 1
    assert seen > 7 * 20
    by_id = rows_by_id(sheet)
    head = pid(date(1972, 4, 3), 13)
    assert head in by_id  # the 18-digit ID as text, not 1.40321197204031E+17
    assert by_id[head]["出生日期"] == "19720403"
    assert by_id[DISABILITY_CARD]["证件号码"] == DISABILITY_CARD


def test_cells_hold_what_the_registry_holds(households, tmp_path):
    path = tmp_path / "out.xlsx"
    export_county(path)
    by_id = rows_by_id(load_sheet(path))

    head = by_id[pid(date(1972, 4, 3), 13)]
    assert (head["县"], head["乡"], head["村"]) == ("平定县", "岔口乡", "秋林庄村")
    assert head["户类型"] == "脱贫户"
    assert head["家庭人口数"] == "4"
    assert (head["姓名"], head["性别"], head["证件类型"], head["与户主关系"]) == (
        "郭振华",
        "男",
        "居民身份证",
        "户主",
    )
    assert head["民族"] == "回族"
    assert head["户联系电话"] == "0353-6012345"
    assert head["家庭成员联系电话"] == "13700000001"
    assert head["监测对象类别"] == "突发严重困难户"
    assert (head["识别监测时间"], head["消除监测时间"]) == ("202404", "202501")
    assert (head["风险是否已消除"], head["风险消除方式"]) == ("是", "帮扶消除")
    assert [head[f"致贫/返贫风险{n}"] for n in range(1, 6)] == [
        "因自然灾害",
        "因意外事故",
        "其他",
        None,
        None,
    ]
    assert head["整户无劳动能力兜底保障户"] == "否"
    assert head["是否参加大病保险"] == "是" and head["是否参加城镇职工基本养老保险"] == "否"
    assert head["健康状况"] == "长期慢性病" and head["劳动技能"] == "技能劳动力"
    assert (head["公益性岗位"], head["享受低保政策情况"]) == ("护林员", "未享受")
    # Income: the household's 2025 totals; net = 18000.40 + 2500 + 360.50 + 4800 − 900.30
    assert head["工资性收入"] == "18000.40"
    assert head["财产性收入"] == "360.50"
    assert head["生产经营性支出"] == "900.30"
    assert head["家庭纯收入"] == "24760.60"
    assert head["人均纯收入（元）"] == "6190.15"  # 24760.60 / 4
    assert (head["理赔收入"], head["合规自付支出"]) == ("1200.00", "3600.75")
    assert (head["是否危房户"], head["是否解决安全饮用水"]) == ("否", "是")
    assert head["风险消除后是否饮水设施损毁"] is None  # not recorded stays empty
    assert (head["产业帮扶"], head["住房安全保障"], head["就业帮扶"]) == (
        "光伏收益分配",
        "危房改造",
        "外出务工补贴",
    )
    assert head["金融帮扶"] is None
    assert (head["耕地面积（亩）"], head["林地面积（亩）"], head["林果面积（亩）"]) == (
        "2.75",
        "10.00",
        "0.50",
    )
    assert head["退耕还林面积（亩）"] is None
    assert (head["住房面积"], head["与村主干路距离"]) == ("120.00", "1.20")
    assert (head["入户道路是否硬化"], head["是否有卫生厕所"]) == ("是", "否")
    assert (head["信息采集人"], head["信息采集人联系电话"]) == ("张三", "13812345678")

    # Household values repeat on every member row.
    spouse = by_id[pid(date(1975, 6, 10), 24)]
    for column in ("户编号", "家庭纯收入", "致贫/返贫风险2", "产业帮扶", "耕地面积（亩）", "信息采集人"):
        assert spouse[column] == head[column]
    assert spouse["健康状况"] == "残疾"
    assert by_id[pid(date(2013, 11, 2), 36)]["在校生状况"] == "七年级"
    assert by_id[DISABILITY_CARD]["证件类型"] == "残疾人证"

    # HB: twelve monthly records of 2025 → the 12-month totals.
    hb = by_id[pid(date(1950, 2, 28), 51)]
    assert hb["转移性收入"] == "7201.20" and hb["工资性收入"] == "6000.00"
    assert hb["家庭纯收入"] == "13201.20" and hb["人均纯收入（元）"] == "6600.60"
    assert by_id["E12345678"]["证件类型"] == "护照"
    assert by_id["E12345678"]["出生日期"] == "19900505"
    # HC: no income at all → empty, not 0.00
    hc = by_id[pid(date(1966, 8, 8), 71)]
    assert (hc["乡"], hc["村"]) == ("石门口乡", "大石门村")
    assert hc["工资性收入"] is None and hc["家庭纯收入"] is None


def test_round_trip_export_import_export_changes_no_cell(households, county_user, tmp_path):
    first = tmp_path / "first.xlsx"
    export_county(first)
    members_before = Member.objects.filter(household__county_code="140321").count()
    Household.objects.all().delete()
    assert not Member.objects.exists() and not IncomeRecord.objects.exists()

    batch, job = parse(county_user, first, year=2025)
    assert job.status == "succeeded", job.error
    assert batch.counts["errors"] == 0, list(batch.issues.values_list("row", "column", "message"))
    assert batch.counts["warnings"] == 0, list(batch.issues.values_list("row", "column", "message"))
    assert batch.unknown_columns == []
    batch, job = merge(county_user, batch, "all")
    assert job.status == "succeeded", job.error
    assert batch.changes["households_created"] == 3
    assert Member.objects.count() == members_before

    second = tmp_path / "second.xlsx"
    export_county(second)

    one, two = load_sheet(first), load_sheet(second)
    assert [c.value for c in two[3]] == [c.value for c in one[3]] == HEADERS
    rows_one, rows_two = data_rows(one), data_rows(two)
    assert len(rows_one) == len(rows_two) == 7
    for r, (a, b) in enumerate(zip(rows_one, rows_two, strict=True), start=4):
        for header, x, y in zip(HEADERS, a, b, strict=True):
            assert x == y, f"row {r} column {header}: {x!r} became {y!r}"
    assert one.max_column == two.max_column == len(HEADERS)


def export_job(area: str):
    job = job_enqueue(kind="registry.export_national", title="导出", params={"area": area, "year": None})
    job = job_run_now(job)
    assert job.status == "succeeded", job.error
    return job


@pytest.mark.parametrize(
    "area, codes",
    [
        ("140321201249", {HA, HB}),
        ("140321201", {HA, HB}),
        ("140321", {HA, HB, HC}),
        ("140311", {HD}),
        ("1403", {HA, HB, HC, HD}),
    ],
)
def test_export_contains_only_the_asked_area(households, area, codes):
    job = export_job(area)

    sheet = load_sheet(job.result["path"])
    exported = {row[HEADERS.index("户编号")] for row in data_rows(sheet)}
    assert exported == codes
    assert job.result["rows"] == Member.objects.filter(household__code__in=codes).count()
    assert area in job.result["file_name"] and job.result["file_name"].endswith(".xlsx")
    # Place names are filled for every exported row, whatever the area's level.
    assert all(row[0] and row[1] and row[2] for row in data_rows(sheet))


# --- Exports at scale: the fast paths give what the model-by-model export gave ----------------------
def window_cells(household: Household, size: int, year: int | None) -> dict[str, str | None]:
    """The income cells computed the old way: model instances and income.py's Decimal arithmetic."""
    from fanpin.registry.income import income_over_12_months, latest_window

    records = list(IncomeRecord.objects.filter(household=household).order_by("year", "month", "months"))
    if not records:
        return dict.fromkeys(INCOME_HEADERS)
    if year:
        window = income_over_12_months(records, end_year=year, end_month=12)
    else:
        window = latest_window(records)
    if not window.months_covered:
        return dict.fromkeys(INCOME_HEADERS)
    values = [window.wage, window.business, window.property_income, window.transfer, window.business_cost]
    values += [window.net, window.per_capita(size), window.claims, window.out_of_pocket]
    return {h: f"{v:.2f}" for h, v in zip(INCOME_HEADERS, values, strict=True)}


INCOME_HEADERS = ["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"]
INCOME_HEADERS += ["家庭纯收入", "人均纯收入（元）", "理赔收入", "合规自付支出"]


def record(household, year, month, months=1, **cents):
    return IncomeRecord.objects.create(
        household=household,
        year=year,
        month=month,
        months=months,
        **{
            f: Decimal(cents.get(f, 0)).scaleb(-2)
            for f in ("wage", "business", "property_income", "transfer")
        },
        **{f: Decimal(cents.get(f, 0)).scaleb(-2) for f in ("business_cost", "claims", "out_of_pocket")},
    )


@pytest.mark.parametrize("year", [None, 2024, 2025])
def test_income_cells_equal_the_decimal_window(households, tmp_path, year):
    ha, hb, hc, hd = households
    # HC: an annual record for 2024 and three months of 2025: the latest window takes nine twelfths
    # of 2024 (6 × 0.01 / 12 … half cents) and the three months.
    record(hc, 2024, 1, 12, wage=1, business=6, property_income=18, transfer=1_000_006, claims=7)
    for month in (1, 2, 3):
        record(hc, 2025, month, wage=100 * month, business_cost=33)
    # HA already has an annual 2025 record; add 2024 months on both sides of the window.
    record(ha, 2024, 12, wage=99_999, out_of_pocket=5)
    record(ha, 2023, 5, wage=7)
    # Another household: monthly records over two years (the window drops the older ones) and a
    # business cost larger than the income (negative net, per capita "-0.00"-style rounding).
    hx = household_create(actor="测试", code="1403212012490103", village_code=QLZ, household_type="一般农户")
    for n in range(3):
        person(hx, f"成员{n}", pid(date(1990, 1, n + 1), 101 + 2 * n), "户主" if n == 0 else "之子")
    IncomeRecord.objects.filter(household=hx).delete()
    for month in range(1, 13):
        record(hx, 2024, month, wage=1000 + month, business_cost=1_000_000)
        if month <= 6:
            record(hx, 2025, month, wage=1, business_cost=2)

    path = tmp_path / "out.xlsx"
    export_national(
        households=Household.objects.filter(county_code="140321"),
        path=path,
        area_name="平定县",
        area_code="140321",
        year=year,
    )
    sheet = load_sheet(path)
    seen = set()
    for row in data_rows(sheet):
        cells = dict(zip(HEADERS, row, strict=True))
        household = Household.objects.get(code=cells["户编号"])
        size = Member.objects.filter(household=household).count()
        assert {h: cells[h] for h in INCOME_HEADERS} == window_cells(household, size, year), household.code
        seen.add(household.code)
    assert seen == {HA, HB, HC, "1403212012490103"}


def test_unknown_columns_are_written_back_and_survive_a_round_trip(households, county_user, tmp_path):
    ha, hb, hc, hd = households
    first_member = Member.objects.filter(household=hc).order_by("id").first()
    Member.objects.filter(pk=first_member.pk).update(
        extra={"残疾证号": "14032119660808711X11", "备注": "低保边缘"}
    )
    Member.objects.filter(household=ha).update(extra={"备注": "外出", "帮扶责任人": "李四"})
    first = tmp_path / "first.xlsx"
    export_county(first)

    sheet = load_sheet(first)
    header = [c.value for c in sheet[3]]
    # In the order of first appearance in the file: HC (户编号 …0001 of 石门口乡) comes first, then HA;
    # within a member, as the database keeps the keys (PostgreSQL's jsonb sorts them).
    assert header[: len(HEADERS)] == HEADERS
    assert sorted(header[len(HEADERS) : -1]) == sorted(["残疾证号", "备注"]) and header[-1] == "帮扶责任人"
    by_id = {
        row[9]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)
    }
    extra = by_id[first_member.id_number]
    assert (extra["残疾证号"], extra["备注"], extra["帮扶责任人"]) == (
        "14032119660808711X11",
        "低保边缘",
        None,
    )
    extra = by_id[pid(date(1972, 4, 3), 13)]
    assert (extra["残疾证号"], extra["备注"], extra["帮扶责任人"]) == (None, "外出", "李四")

    Household.objects.all().delete()
    batch, job = parse(county_user, first, year=2025)
    assert job.status == "succeeded", job.error
    assert batch.unknown_columns == header[len(HEADERS) :]
    batch, job = merge(county_user, batch, "all")
    assert job.status == "succeeded", job.error
    second = tmp_path / "second.xlsx"
    export_county(second)
    one, two = load_sheet(first), load_sheet(second)
    assert [[c.value for c in r] for r in one.iter_rows(min_row=3)] == [
        [c.value for c in r] for r in two.iter_rows(min_row=3)
    ]


def test_awkward_text_comes_back_as_written(households, tmp_path):
    """Entities, Excel escapes, control characters and the export's own run separator (\\x1f)."""
    from fanpin.registry.national.reader import SheetRows

    ha, hb, hc, hd = households
    awkward = "A&B <护林员> _x0041_ \x01 a\x1fb"
    member = Member.objects.filter(household=ha).order_by("id").first()
    Member.objects.filter(pk=member.pk).update(welfare_job=awkward, work_place="太原\x1f小店")
    Household.objects.filter(pk=ha.pk).update(collector="张\x1f三", elimination_method="帮扶\x1f消除")
    path = tmp_path / "out.xlsx"
    export_county(path)

    sheet = SheetRows(path)  # the importer's reader (python-calamine)
    rows = {values[sheet.header.index("证件号码")]: values for _n, values in sheet.rows()}
    row = rows[member.id_number]
    col = sheet.header.index
    assert row[col("公益性岗位")] == awkward.strip()
    assert row[col("务工所在地")] == "太原\x1f小店"
    assert row[col("信息采集人")] == "张\x1f三"
    assert row[col("风险消除方式")] == "帮扶\x1f消除"
    assert row[col("户编号")] == HA and row[col("健康状况")] == "长期慢性病"
    other = rows[pid(date(1975, 6, 10), 24)]
    assert other[col("信息采集人")] == "张\x1f三" and other[col("公益性岗位")] == ""

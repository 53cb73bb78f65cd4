"""《（自定义）监测对象信息》 columns, in the national export's order, and how each maps to our models.

kinds: text, int, decimal (yuan or area, Decimal), yesno (是/否 ↔ True/False, empty ↔ None), month (YYYYMM),
date8 (YYYYMMDD), risk (致贫/返贫风险N: one item of household.risk_types), measure (household.measures_recorded),
place (县/乡/村 names, resolved to the village code), computed (written on export, checked on import).
"""

from __future__ import annotations

from dataclasses import dataclass

TITLE = "（自定义）监测对象信息"


@dataclass(frozen=True)
class Column:
    header: str
    level: str  # "household", "member", "income", "place"
    field: str
    kind: str = "text"
    max_length: int | None = None


def _h(header, field, kind="text", max_length=None):
    return Column(header, "household", field, kind, max_length)


def _m(header, field, kind="text", max_length=None):
    return Column(header, "member", field, kind, max_length)


def _i(header, field):
    return Column(header, "income", field, "decimal")


MEASURE_HEADERS = [
    "产业帮扶",
    "就业帮扶",
    "金融帮扶",
    "公益岗位帮扶",
    "公益性岗位帮扶其他备注",
    "健康帮扶",
    "教育帮扶",
    "义务教育保障",
    "综合保障",
    "住房安全保障",
    "饮水安全保障",
    "社会帮扶",
    "搬迁",
    "生产生活条件改善",
    "基础设施建设",
]

COLUMNS: list[Column] = [
    Column("县", "place", "county", "place"),
    Column("乡", "place", "township", "place"),
    Column("村", "place", "village", "place"),
    _h("户编号", "code", max_length=32),
    _h("户类型", "household_type", max_length=20),
    _h("家庭人口数", "size", "computed"),
    _m("姓名", "name", max_length=50),
    _m("性别", "sex", max_length=1),
    _m("证件类型", "id_type", max_length=20),
    _m("证件号码", "id_number", max_length=32),
    _m("出生日期", "birth_date", "date8"),
    _m("与户主关系", "relation", max_length=20),
    _m("民族", "ethnicity", max_length=20),
    _m("家庭成员联系电话", "phone", max_length=40),
    _h("户联系电话", "phone", max_length=40),
    _h("监测对象类别", "category", max_length=20),
    _h("识别监测时间", "identified_month", "month"),
    _h("风险是否已消除", "risk_eliminated", "yesno"),
    _h("风险消除方式", "elimination_method", max_length=10),
    _h("消除监测时间", "eliminated_month", "month"),
    *[_h(f"致贫/返贫风险{n}", f"risk{n}", "risk") for n in range(1, 6)],
    _h("整户无劳动能力兜底保障户", "whole_no_labour", "yesno"),
    _m("文化程度", "education", max_length=20),
    _m("在校生状况", "school_status", max_length=20),
    _m("义务教育阶段未上学原因", "not_in_school_reason", max_length=50),
    _m("健康状况", "health", max_length=10),
    _m("劳动技能", "labour_skill", max_length=20),
    _m("务工所在地", "work_place", max_length=50),
    _m("公益性岗位", "welfare_job", max_length=50),
    _m("享受低保政策情况", "dibao", max_length=20),
    _m("享受特困供养政策情况", "tekun", max_length=20),
    _m("是否参加城乡居民基本医疗保险", "resident_medical", "yesno"),
    _m("是否参加大病保险", "critical_illness", "yesno"),
    _m("是否参加城乡居民基本养老保险", "resident_pension", "yesno"),
    _m("是否参加城镇职工基本养老保险", "employee_pension", "yesno"),
    _i("工资性收入", "wage"),
    _i("生产经营性收入", "business"),
    _i("财产性收入", "property_income"),
    _i("转移性收入", "transfer"),
    _i("生产经营性支出", "business_cost"),
    Column("家庭纯收入", "income", "net", "computed"),
    Column("人均纯收入（元）", "income", "per_capita", "computed"),
    _i("理赔收入", "claims"),
    _i("合规自付支出", "out_of_pocket"),
    _h("是否危房户", "house_dangerous", "yesno"),
    _h("是否解决安全饮用水", "water_secured", "yesno"),
    _h("是否义务教育阶段适龄儿童少年失学辍学", "dropout", "yesno"),
    _h("是否有家庭成员未参加城乡居民（职工）基本医疗保险", "member_uninsured", "yesno"),
    _h("风险消除后是否住房损毁", "house_damaged_after", "yesno"),
    _h("风险消除后是否饮水设施损毁", "water_damaged_after", "yesno"),
    *[_h(h, h, "measure") for h in MEASURE_HEADERS],
    _h("耕地面积（亩）", "cultivated_area", "decimal"),
    _h("林地面积（亩）", "forest_area", "decimal"),
    _h("退耕还林面积（亩）", "returned_farmland_area", "decimal"),
    _h("林果面积（亩）", "orchard_area", "decimal"),
    _h("牧草地面积", "pasture_area", "decimal"),
    _h("水面面积", "water_surface_area", "decimal"),
    _h("住房面积", "house_area", "decimal"),
    _h("与村主干路距离", "road_distance", "decimal"),
    _h("入户道路是否硬化", "road_hardened", "yesno"),
    _h("是否有卫生厕所", "sanitary_toilet", "yesno"),
    _h("信息采集人", "collector", max_length=50),
    _h("信息采集人联系电话", "collector_phone", max_length=40),
]
HEADERS = [c.header for c in COLUMNS]
BY_HEADER = {c.header: c for c in COLUMNS}
REQUIRED = ["县", "乡", "村", "户编号", "姓名", "证件号码", "与户主关系"]

# Fields that are booleans with False as default (not nullable) in the model: empty reads as False.
NON_NULL_BOOLEANS = {
    "risk_eliminated",
    "whole_no_labour",
    "dropout",
    "resident_medical",
    "critical_illness",
    "resident_pension",
    "employee_pension",
}

ID_TYPE_ALIASES = {
    "身份证": "居民身份证",
    "居民身份证": "居民身份证",
    "居民身份证（户口簿）": "居民身份证",
    "户口簿": "居民身份证",
    "残疾人证": "残疾人证",
    "护照": "护照",
    "": "居民身份证",
}


def village_display_name(name: str) -> str:
    """The national system's spelling of a statistical village name: 秋林庄村委会 → 秋林庄村,
    某某村民委员会 → 某某村, 某某社区居委会 / 社区居民委员会 → 某某社区."""
    for suffix, replacement in (
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("居民委员会", ""),
        ("居委会", ""),
        ("委员会", ""),
    ):
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name

"""Code tables of assistance (帮扶措施): the measure categories as the national system codes them."""

from django.db import models


class MeasureCategory(models.TextChoices):
    """帮扶措施类别 (code tables 100A39 … 100A55). The value is the code table's code."""

    INDUSTRY = "100A39", "产业帮扶"
    EMPLOYMENT = "100A40", "就业帮扶"
    FINANCE = "100A41", "金融帮扶"
    WELFARE_JOB = "100A42", "公益岗位帮扶"
    HEALTH = "100A45", "健康帮扶"
    COMPULSORY_EDUCATION = "100A46", "义务教育保障"
    OTHER_EDUCATION = "100A47", "其他教育帮扶"
    PROTECTION = "100A48", "综合保障"
    HOUSING = "100A50", "住房安全保障"
    WATER = "100A51", "饮水安全保障"
    SOCIAL = "100A52", "社会帮扶"
    RELOCATION = "100A53", "搬迁"
    LIVING_CONDITIONS = "100A54", "生产生活条件改善"
    INFRASTRUCTURE = "100A55", "基础设施建设"


CATEGORY_NAMES: dict[str, str] = {c.value: c.label for c in MeasureCategory}

# Development-type help (开发式帮扶) for households with labour: industry, jobs, credit, public-welfare jobs.
DEVELOPMENT = frozenset(
    {
        MeasureCategory.INDUSTRY,
        MeasureCategory.EMPLOYMENT,
        MeasureCategory.FINANCE,
        MeasureCategory.WELFARE_JOB,
    }
)
# Social protection (兜底保障) for households without labour.
PROTECTION = frozenset({MeasureCategory.PROTECTION})
# Items that count as emergency relief (应急救助) for sudden-hardship households.
RELIEF_ITEMS = frozenset({"临时救助", "应急救助"})

# The national export's measure columns (registry MEASURE_HEADERS) → category code. 教育帮扶 is the
# national file's name for 其他教育帮扶 (雨露计划 …); 公益性岗位帮扶其他备注 is a remark, not a measure.
NATIONAL_COLUMNS: dict[str, str] = {
    "产业帮扶": MeasureCategory.INDUSTRY,
    "就业帮扶": MeasureCategory.EMPLOYMENT,
    "金融帮扶": MeasureCategory.FINANCE,
    "公益岗位帮扶": MeasureCategory.WELFARE_JOB,
    "健康帮扶": MeasureCategory.HEALTH,
    "教育帮扶": MeasureCategory.OTHER_EDUCATION,
    "义务教育保障": MeasureCategory.COMPULSORY_EDUCATION,
    "综合保障": MeasureCategory.PROTECTION,
    "住房安全保障": MeasureCategory.HOUSING,
    "饮水安全保障": MeasureCategory.WATER,
    "社会帮扶": MeasureCategory.SOCIAL,
    "搬迁": MeasureCategory.RELOCATION,
    "生产生活条件改善": MeasureCategory.LIVING_CONDITIONS,
    "基础设施建设": MeasureCategory.INFRASTRUCTURE,
}
NATIONAL_REMARK_COLUMNS = frozenset({"公益性岗位帮扶其他备注"})
EMPTY_VALUES = frozenset({"", "否", "无", "—", "-"})

# The catalogue as seeded (the data migration keeps its own frozen copy).
SEED_ITEMS: dict[str, list[str]] = {
    MeasureCategory.INDUSTRY: [
        "种植业",
        "养殖业",
        "农产品加工",
        "乡村旅游",
        "光伏收益",
        "产业奖补",
        "入股分红",
        "技术指导",
    ],
    MeasureCategory.EMPLOYMENT: [
        "外出务工",
        "劳务输出",
        "外出务工补贴",
        "就近就业",
        "就业帮扶车间",
        "技能培训",
        "一次性交通补贴",
    ],
    MeasureCategory.FINANCE: ["小额信贷", "贷款贴息", "防贫保险"],
    MeasureCategory.WELFARE_JOB: ["公益性岗位"],
    MeasureCategory.HEALTH: ["参保资助", "大病保险", "医疗救助", "家庭医生签约服务", "慢性病签约服务"],
    MeasureCategory.COMPULSORY_EDUCATION: ["控辍保学", "送教上门", "义务教育阶段资助"],
    MeasureCategory.OTHER_EDUCATION: ["雨露计划", "学前教育资助", "高中阶段资助", "大学生资助"],
    MeasureCategory.PROTECTION: ["低保", "特困供养", "临时救助", "残疾人补贴", "应急救助", "高龄补贴"],
    MeasureCategory.HOUSING: ["危房改造", "农房抗震改造", "住房维修"],
    MeasureCategory.WATER: ["饮水工程", "水质提升", "供水设施维修", "集中供水入户"],
    MeasureCategory.SOCIAL: ["结对帮扶", "社会捐赠", "消费帮扶", "志愿服务"],
    MeasureCategory.RELOCATION: ["易地搬迁后续扶持"],
    MeasureCategory.LIVING_CONDITIONS: ["改厕", "入户道路硬化", "人居环境整治"],
    MeasureCategory.INFRASTRUCTURE: ["村组道路", "农田水利", "电网改造"],
}

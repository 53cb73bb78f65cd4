"""Data-quality checks (数据质量校验): the logical checks counties run on their monitoring data, written
once as Ibis expressions (no Django; DuckDB by default, Spark optionally).

Inputs (Ibis tables; amounts in cents, int64):
  households: household_id, row, household_type, size, declared_size, whole_no_labour, category,
              identified_month, risk_types ("|"-separated), risk_eliminated, elimination_method,
              eliminated_month, house_grade, house_dangerous, water_secured, water_quantity_ok,
              water_quality_ok, water_convenience_ok, water_reliability_ok, dropout, member_uninsured,
              house_damaged_after, water_damaged_after, phone, collector, collector_phone,
              income_months, wage, business, property_income, transfer, business_cost, claims,
              out_of_pocket, stated_net, stated_per_capita
  members:    member_id, household_id, row, name, id_type, id_number, sex, birth_date (date),
              birth_invalid, relation, ethnicity, education, school_status, not_in_school_reason,
              health, labour_skill, work_place, welfare_job, dibao, tekun, resident_medical,
              employee_medical, critical_illness, phone
  measures:   household_id, category — one row per measure category in place, spelled as the national
              export's measure columns (健康帮扶, 综合保障, …). The registry fills it from the
              household's recorded measure columns; structured assistance plans can add their rows to
              the same table (the extension point: `measures` is a plain long table).

`quality_flags` returns two wide tables — members and households — with one boolean column per rule
(its code), one row per member / household (filtering in SQL would evaluate every rule twice; the
Arrow step below keeps only what fired). `long_findings` turns them into
(household_id, member_id, row, code) rows. Messages, fields and policy basis are in RULES.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from ibis import _

from fanpin.matching.engine.rules import _age_at, _i64

ERROR, WARNING = "error", "warning"
GROUPS = {
    "identity": "身份信息",
    "household": "家庭结构",
    "schooling": "义务教育",
    "labour": "劳动力与就业",
    "health": "健康与医保",
    "income": "收入",
    "monitoring": "监测状态",
    "measures": "帮扶措施",
    "safety": "住房与饮水安全",
    "contacts": "联系方式",
}
MEASURE_CATEGORIES = (
    "产业帮扶",
    "就业帮扶",
    "金融帮扶",
    "公益岗位帮扶",
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
)
DEVELOPMENT = ("产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶")
LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
FULL_LABOUR = ("普通劳动力", "技能劳动力")
NO_LABOUR = ("丧失劳动力", "无劳动力")
RELATIONS = (
    "户主",
    "配偶",
    "之子",
    "之女",
    "之儿媳",
    "之女婿",
    "之孙子",
    "之孙女",
    "之外孙子",
    "之外孙女",
    "之父",
    "之母",
    "之公公",
    "之婆婆",
    "之岳父",
    "之岳母",
    "之祖父",
    "之祖母",
    "之曾孙子",
    "之曾孙女",
    "兄弟姐妹",
    "其他",
)
SUDDEN_RISKS = ("因病", "因残", "因自然灾害", "因意外事故", "因产业项目失败", "因务工就业不稳", "其他")
# 在校生状况 → the usual age in that grade; a pupil more than `grade_age_tolerance` years off is flagged
# (for college grades only a pupil younger than usual).
GRADE_AGES = {
    "学前教育": (4, True),
    **{f"{n}年级": (5 + i, True) for i, n in enumerate("一二三四五六七八九", start=1)},
    "高中一年级": (15, True),
    "高中二年级": (16, True),
    "高中三年级": (17, True),
    "中职一年级": (15, True),
    "中职二年级": (16, True),
    "中职三年级": (17, True),
    "高职高专一年级": (18, False),
    "高职高专二年级": (19, False),
    "高职高专三年级": (20, False),
    "本科一年级": (18, False),
    "本科二年级": (19, False),
    "本科三年级": (20, False),
    "本科四年级": (21, False),
    "硕士生及以上": (22, False),
}
HIGHER_EDUCATION = ("大专", "本科及以上")
RISK_NAMES = ("因病", "因残", "因学", "缺劳动力", "住房出现安全问题", "饮水出现安全问题", *SUDDEN_RISKS[2:])


@dataclass(frozen=True)
class QualityParams:
    """Everything policy-like, from the policy setting in force (never constants in the rules)."""

    threshold: int  # 监测范围, cents per person per year
    compulsory_age_min: int = 6
    compulsory_age_max: int = 16
    labour_age_min: int = 16
    labour_age_max: int = 60
    senior_age: int = 75  # above it, 普通/技能劳动力 is doubtful
    welfare_job_age_min: int = 16
    welfare_job_age_max: int = 60  # 公益性岗位: up to this age normally …
    welfare_job_age_limit: int = 65  # … and never above this one
    per_capita_max: int = 2_000_000  # cents; above it at identification → review
    monthly_wage_max: int = 3_000_000  # cents per worker per month
    monthly_wage_min: int = 10_000
    elimination_min_months: int = 6
    measure_due_days: int = 30  # shared with casework's deadline
    income_tolerance: int = 100  # cents: stated totals may differ from the components by this much
    grade_age_tolerance: int = 2
    parent_child_age_gap: int = 15
    max_age: int = 120


@dataclass(frozen=True)
class Rule:
    code: str
    group: str
    level: str
    message: str  # Chinese: what is wrong and what to do
    fields: tuple[str, ...]  # the national export's column headers involved
    basis: str  # policy basis
    scope: str  # "member" or "household"


def _r(code, group, level, message, fields, basis, scope="household"):
    return Rule(code, group, level, message, tuple(fields), basis, scope)


B_ID = "《居民身份证号码》GB 11643-1999；全国防返贫监测信息系统数据规范"
B_SYS = "全国防返贫监测信息系统数据规范（户成员信息）"
B_EDU = "义务教育法；两不愁三保障——义务教育有保障（6–16 周岁适龄儿童少年不失学辍学）"
B_MED = "两不愁三保障——基本医疗有保障（全员参加基本医疗保险和大病保险）"
B_IDENT = "防止返贫动态监测和帮扶机制——监测对象识别（类别、风险类型、识别监测时间）"
B_ELIM = "防止返贫动态监测和帮扶机制——风险消除（收入稳定超过监测范围、三保障和饮水安全有保障、满 6 个月、有帮扶措施）"
B_MEAS = "防止返贫动态监测和帮扶机制——精准帮扶（风险与措施对应；有劳动能力的发展产业就业，无劳动能力的综合保障兜底）"
B_INC = "农户收入核算口径：家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性收入 − 生产经营性支出；人均纯收入 = 家庭纯收入 / 家庭人口"
B_HOUSE = "两不愁三保障——住房安全有保障（C、D 级危房须改造或搬迁）；饮水安全（水量、水质、方便程度、保证率）"
B_JOB = "公益性岗位管理：安置弱劳动力、半劳动力，年龄 16–60 周岁（最高不超过 65 周岁）"

RULES: list[Rule] = [
    # ---- Identity (身份信息) ---------------------------------------------------------------------
    _r("ID01", "identity", ERROR, "证件号码为空：请补填该成员的证件号码", ["证件号码"], B_SYS, "member"),
    _r(
        "ID02",
        "identity",
        ERROR,
        "居民身份证号码位数、字符或校验位不正确：请按身份证（户口簿）核对",
        ["证件类型", "证件号码"],
        B_ID,
        "member",
    ),
    _r(
        "ID03",
        "identity",
        ERROR,
        "出生日期与身份证号码中的出生日期不一致：请按身份证改正出生日期",
        ["出生日期", "证件号码"],
        B_ID,
        "member",
    ),
    _r(
        "ID04",
        "identity",
        ERROR,
        "性别与身份证号码（第 17 位奇数为男、偶数为女）不一致：请改正性别",
        ["性别", "证件号码"],
        B_ID,
        "member",
    ),
    _r("ID05", "identity", WARNING, "出生日期为空：请补填", ["出生日期"], B_SYS, "member"),
    _r(
        "ID06",
        "identity",
        ERROR,
        "出生日期不合理（格式错误、晚于检查日或年龄超过上限）：请核对",
        ["出生日期"],
        B_SYS,
        "member",
    ),
    _r("ID07", "identity", ERROR, "姓名为空：请补填", ["姓名"], B_SYS, "member"),
    _r(
        "ID08",
        "identity",
        ERROR,
        "同一证件号码出现在多行：一个人只能属于一户，请删除重复的成员",
        ["证件号码"],
        B_SYS,
        "member",
    ),
    _r("ID09", "identity", WARNING, "性别为空：请补填", ["性别"], B_SYS, "member"),
    _r("ID10", "identity", WARNING, "民族为空：请补填", ["民族"], B_SYS, "member"),
    _r(
        "ID11",
        "identity",
        ERROR,
        "残疾人证号应为 20 或 22 位：请核对证件号码或证件类型",
        ["证件类型", "证件号码"],
        B_SYS,
        "member",
    ),
    # ---- Household structure (家庭结构) ----------------------------------------------------------
    _r("HH01", "household", ERROR, "该户没有户主：请指定一名成员为户主", ["与户主关系"], B_SYS),
    _r("HH02", "household", ERROR, "该户有多个户主：每户只能有一个户主", ["与户主关系"], B_SYS),
    _r("HH03", "household", WARNING, "该户有多个配偶：请核对与户主关系", ["与户主关系"], B_SYS),
    _r(
        "HH04",
        "household",
        WARNING,
        "户主未满劳动年龄下限：请核对户主或出生日期",
        ["与户主关系", "出生日期"],
        B_SYS,
    ),
    _r(
        "HH05",
        "household",
        WARNING,
        "子女与户主年龄差过小（或子女年长于户主）：请核对与户主关系或出生日期",
        ["与户主关系", "出生日期"],
        B_SYS,
        "member",
    ),
    _r(
        "HH06",
        "household",
        WARNING,
        "父母与户主年龄差过小（或父母年轻于户主）：请核对与户主关系或出生日期",
        ["与户主关系", "出生日期"],
        B_SYS,
        "member",
    ),
    _r("HH07", "household", ERROR, "与户主关系为空：请补填", ["与户主关系"], B_SYS, "member"),
    _r(
        "HH08",
        "household",
        WARNING,
        "与户主关系不是代码表中的值：请按系统代码表填写",
        ["与户主关系"],
        B_SYS,
        "member",
    ),
    _r(
        "HH09",
        "household",
        WARNING,
        "家庭人口数与成员人数不一致：请核对家庭人口数或增减成员",
        ["家庭人口数"],
        B_SYS,
    ),
    _r(
        "HH10",
        "household",
        WARNING,
        "配偶与户主性别相同：请核对性别或与户主关系",
        ["性别", "与户主关系"],
        B_SYS,
        "member",
    ),
    _r("HH11", "household", ERROR, "户类型为空：请填写脱贫户或一般农户", ["户类型"], B_SYS),
    _r(
        "HH12",
        "household",
        WARNING,
        "孙辈与户主年龄差过小：请核对与户主关系或出生日期",
        ["与户主关系", "出生日期"],
        B_SYS,
        "member",
    ),
    # ---- Schooling (义务教育) --------------------------------------------------------------------
    _r(
        "ED01",
        "schooling",
        ERROR,
        "义务教育阶段适龄儿童少年未在校，且未填写未上学原因：请核实是否失学辍学，填写在校生状况或未上学原因",
        ["出生日期", "在校生状况", "义务教育阶段未上学原因"],
        B_EDU,
        "member",
    ),
    _r(
        "ED02",
        "schooling",
        WARNING,
        "户标记为有失学辍学儿童，但户内没有未在校的适龄儿童：请核对该标记或成员在校情况",
        ["是否义务教育阶段适龄儿童少年失学辍学", "在校生状况"],
        B_EDU,
    ),
    _r(
        "ED03",
        "schooling",
        WARNING,
        "在校年级与年龄不符：请核对在校生状况或出生日期",
        ["在校生状况", "出生日期"],
        B_EDU,
        "member",
    ),
    _r(
        "ED04",
        "schooling",
        WARNING,
        "未成年却填写文化程度为大专或本科及以上：请核对文化程度",
        ["文化程度", "出生日期"],
        B_SYS,
        "member",
    ),
    _r(
        "ED05",
        "schooling",
        WARNING,
        "在校生同时填写了义务教育阶段未上学原因：两者矛盾，请删除其一",
        ["在校生状况", "义务教育阶段未上学原因"],
        B_EDU,
        "member",
    ),
    _r(
        "ED06",
        "schooling",
        WARNING,
        "风险类型含“因学”，但户内没有在校生：请核对风险类型或在校生状况",
        ["致贫/返贫风险", "在校生状况"],
        B_IDENT,
    ),
    _r(
        "ED07",
        "schooling",
        WARNING,
        "不在义务教育年龄段却填写了义务教育阶段未上学原因：请删除或核对出生日期",
        ["义务教育阶段未上学原因", "出生日期"],
        B_EDU,
        "member",
    ),
    _r(
        "ED08",
        "schooling",
        ERROR,
        "有适龄儿童未在校且无原因，但户“是否义务教育阶段适龄儿童少年失学辍学”未标记为是：请核实并标记",
        ["是否义务教育阶段适龄儿童少年失学辍学"],
        B_EDU,
    ),
    # ---- Labour (劳动力与就业) --------------------------------------------------------------------
    _r(
        "LB01",
        "labour",
        WARNING,
        "风险类型含“缺劳动力”，但过半成员有劳动能力：请核对风险类型或劳动技能",
        ["致贫/返贫风险", "劳动技能"],
        B_IDENT,
    ),
    _r(
        "LB02",
        "labour",
        ERROR,
        "公益性岗位人员年龄超出上限或未满下限：请核对岗位或出生日期",
        ["公益性岗位", "出生日期"],
        B_JOB,
        "member",
    ),
    _r(
        "LB03",
        "labour",
        WARNING,
        "公益性岗位人员超过一般年龄上限（未超过最高上限）：请确认已按规定审批",
        ["公益性岗位", "出生日期"],
        B_JOB,
        "member",
    ),
    _r(
        "LB04",
        "labour",
        WARNING,
        "公益性岗位人员为普通或技能劳动力：公益性岗位主要安置弱劳动力、半劳动力，请核实",
        ["公益性岗位", "劳动技能"],
        B_JOB,
        "member",
    ),
    _r(
        "LB05",
        "labour",
        WARNING,
        "劳动年龄段成员未填写劳动技能：请补填",
        ["劳动技能", "出生日期"],
        B_SYS,
        "member",
    ),
    _r(
        "LB06",
        "labour",
        WARNING,
        "未满劳动年龄下限却填写为普通或技能劳动力：请核对劳动技能",
        ["劳动技能", "出生日期"],
        B_SYS,
        "member",
    ),
    _r(
        "LB07",
        "labour",
        WARNING,
        "无劳动力或丧失劳动力的成员填写了务工所在地：请核对劳动技能或务工信息",
        ["劳动技能", "务工所在地"],
        B_SYS,
        "member",
    ),
    _r(
        "LB08",
        "labour",
        ERROR,
        "整户无劳动能力兜底保障户中有普通或技能劳动力成员：请核对该标记或劳动技能",
        ["整户无劳动能力兜底保障户", "劳动技能"],
        B_MEAS,
    ),
    _r(
        "LB09",
        "labour",
        WARNING,
        "户内没有有劳动能力的成员，却有工资性收入：请核对劳动技能或收入",
        ["劳动技能", "工资性收入"],
        B_INC,
    ),
    _r(
        "LB10",
        "labour",
        WARNING,
        "高龄成员填写为普通或技能劳动力：请核对劳动技能",
        ["劳动技能", "出生日期"],
        B_SYS,
        "member",
    ),
    _r(
        "LB11",
        "labour",
        WARNING,
        "户内成员均无劳动能力，但未标记整户无劳动能力兜底保障户：请核实",
        ["整户无劳动能力兜底保障户", "劳动技能"],
        B_MEAS,
    ),
    # ---- Health (健康与医保) ---------------------------------------------------------------------
    _r(
        "HL01",
        "health",
        WARNING,
        "风险类型含“因残”，但户内没有健康状况为残疾的成员：请核对风险类型或健康状况",
        ["致贫/返贫风险", "健康状况"],
        B_IDENT,
    ),
    _r(
        "HL02",
        "health",
        WARNING,
        "风险类型含“因病”，但合规自付支出为零或未填：请补填医疗合规自付支出或核对风险类型",
        ["致贫/返贫风险", "合规自付支出"],
        B_IDENT,
    ),
    _r(
        "HL03",
        "health",
        WARNING,
        "风险类型含“因病”，但户内没有患大病或长期慢性病的成员：请核对风险类型或健康状况",
        ["致贫/返贫风险", "健康状况"],
        B_IDENT,
    ),
    _r(
        "HL04",
        "health",
        ERROR,
        "有成员未参加基本医疗保险，但户“是否有家庭成员未参加城乡居民（职工）基本医疗保险”为否：请改正",
        ["是否有家庭成员未参加城乡居民（职工）基本医疗保险", "是否参加城乡居民基本医疗保险"],
        B_MED,
    ),
    _r(
        "HL05",
        "health",
        WARNING,
        "户标记有成员未参加基本医疗保险，但全部成员均已参保：请核对",
        ["是否有家庭成员未参加城乡居民（职工）基本医疗保险", "是否参加城乡居民基本医疗保险"],
        B_MED,
    ),
    _r(
        "HL06",
        "health",
        WARNING,
        "监测户有患大病成员，但风险类型不含“因病”：请核实风险类型",
        ["健康状况", "致贫/返贫风险"],
        B_IDENT,
    ),
    _r(
        "HL07",
        "health",
        WARNING,
        "成员未参加基本医疗保险：请动员参保或核对参保信息",
        ["是否参加城乡居民基本医疗保险"],
        B_MED,
        "member",
    ),
    _r(
        "HL08",
        "health",
        WARNING,
        "参加了大病保险却未参加基本医疗保险：请核对参保信息",
        ["是否参加大病保险", "是否参加城乡居民基本医疗保险"],
        B_MED,
        "member",
    ),
    # ---- Income (收入) ---------------------------------------------------------------------------
    _r(
        "IN01",
        "income",
        ERROR,
        "家庭纯收入与各项收入计算结果不一致：请按“工资性+生产经营性+财产性+转移性−生产经营性支出”改正",
        ["家庭纯收入", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"],
        B_INC,
    ),
    _r(
        "IN02",
        "income",
        ERROR,
        "人均纯收入与“家庭纯收入 ÷ 家庭人口”不一致：请改正",
        ["人均纯收入（元）", "家庭纯收入", "家庭人口数"],
        B_INC,
    ),
    _r(
        "IN03",
        "income",
        WARNING,
        "监测户人均纯收入高于合理上限：请入户核实收入",
        ["人均纯收入（元）"],
        B_INC,
    ),
    _r(
        "IN04",
        "income",
        WARNING,
        "家庭纯收入为负数或零：请核实收支",
        ["家庭纯收入", "生产经营性支出"],
        B_INC,
    ),
    _r(
        "IN05",
        "income",
        WARNING,
        "劳动力人均月工资高于合理上限：请核实工资性收入",
        ["工资性收入", "劳动技能"],
        B_INC,
    ),
    _r(
        "IN06",
        "income",
        WARNING,
        "劳动力人均月工资低于合理下限：请核实工资性收入",
        ["工资性收入", "劳动技能"],
        B_INC,
    ),
    _r(
        "IN07",
        "income",
        ERROR,
        "风险消除方式为帮扶消除，但人均纯收入低于当年监测范围：不符合消除条件，请回退或核实收入",
        ["风险消除方式", "人均纯收入（元）"],
        B_ELIM,
    ),
    _r(
        "IN08",
        "income",
        WARNING,
        "监测户没有收入信息：请补录全年收入",
        ["工资性收入", "家庭纯收入"],
        B_INC,
    ),
    _r(
        "IN09",
        "income",
        WARNING,
        "有生产经营性支出却没有生产经营性收入：请核实",
        ["生产经营性收入", "生产经营性支出"],
        B_INC,
    ),
    _r(
        "IN10",
        "income",
        WARNING,
        "有成员享受低保或特困供养，但转移性收入为零：请补录低保金、特困供养金",
        ["享受低保政策情况", "享受特困供养政策情况", "转移性收入"],
        B_INC,
    ),
    _r(
        "IN11",
        "income",
        WARNING,
        "有成员外出务工（填写了务工所在地），但工资性收入为零：请补录务工收入",
        ["务工所在地", "工资性收入"],
        B_INC,
    ),
    # ---- Monitoring (监测状态) -------------------------------------------------------------------
    _r(
        "MO01",
        "monitoring",
        ERROR,
        "监测对象类别为脱贫不稳定户，但户类型不是脱贫户：请核对类别或户类型",
        ["监测对象类别", "户类型"],
        B_IDENT,
    ),
    _r(
        "MO02",
        "monitoring",
        ERROR,
        "监测对象类别为边缘易致贫户，但户类型不是一般农户：请核对类别或户类型",
        ["监测对象类别", "户类型"],
        B_IDENT,
    ),
    _r(
        "MO03",
        "monitoring",
        ERROR,
        "已是监测对象，但识别监测时间为空：请填写识别监测时间（YYYYMM）",
        ["监测对象类别", "识别监测时间"],
        B_IDENT,
    ),
    _r(
        "MO04",
        "monitoring",
        ERROR,
        "填写了识别监测时间，但监测对象类别为空：请填写类别或删除识别时间",
        ["监测对象类别", "识别监测时间"],
        B_IDENT,
    ),
    _r(
        "MO05",
        "monitoring",
        ERROR,
        "风险已消除，但消除监测时间为空：请填写消除监测时间",
        ["风险是否已消除", "消除监测时间"],
        B_ELIM,
    ),
    _r(
        "MO06",
        "monitoring",
        ERROR,
        "风险已消除，但风险消除方式为空：请填写帮扶消除或自然消除",
        ["风险是否已消除", "风险消除方式"],
        B_ELIM,
    ),
    _r(
        "MO07",
        "monitoring",
        ERROR,
        "识别后不满规定月数即标注风险消除：不符合消除条件，请回退或核对时间",
        ["识别监测时间", "消除监测时间"],
        B_ELIM,
    ),
    _r(
        "MO08",
        "monitoring",
        ERROR,
        "整户无劳动能力兜底保障户被标注风险消除：此类户落实兜底保障后应继续监测，不标注消除",
        ["整户无劳动能力兜底保障户", "风险是否已消除"],
        B_ELIM,
    ),
    _r(
        "MO09",
        "monitoring",
        ERROR,
        "消除监测时间早于识别监测时间：请核对两个时间",
        ["识别监测时间", "消除监测时间"],
        B_ELIM,
    ),
    _r(
        "MO10",
        "monitoring",
        ERROR,
        "监测对象没有致贫/返贫风险类型：请至少填写一项风险",
        ["致贫/返贫风险"],
        B_IDENT,
    ),
    _r(
        "MO11",
        "monitoring",
        ERROR,
        "填写了风险消除方式或消除监测时间，但风险是否已消除为否：请核对",
        ["风险是否已消除", "风险消除方式", "消除监测时间"],
        B_ELIM,
    ),
    _r(
        "MO12",
        "monitoring",
        WARNING,
        "突发严重困难户的风险类型中没有突发事件类风险（因病、因残、因灾、因意外等）：请核对",
        ["监测对象类别", "致贫/返贫风险"],
        B_IDENT,
    ),
    _r(
        "MO13",
        "monitoring",
        WARNING,
        "未消除风险的脱贫不稳定户或边缘易致贫户，人均纯收入已高于监测范围：请核实是否符合纳入条件或应消除风险",
        ["监测对象类别", "人均纯收入（元）"],
        B_IDENT,
    ),
    _r(
        "MO14",
        "monitoring",
        WARNING,
        "人均纯收入低于当年监测范围，但未纳入监测：请入户核实是否应识别为监测对象",
        ["监测对象类别", "人均纯收入（元）"],
        B_IDENT,
    ),
    _r(
        "MO15",
        "monitoring",
        ERROR,
        "风险已消除，但监测对象类别为空：请核对",
        ["监测对象类别", "风险是否已消除"],
        B_ELIM,
    ),
    # ---- Measures (帮扶措施) ----------------------------------------------------------------------
    _r(
        "MS01",
        "measures",
        ERROR,
        "因病或有成员未参保，但没有健康帮扶或社会帮扶措施：请落实健康帮扶",
        ["致贫/返贫风险", "健康帮扶", "社会帮扶"],
        B_MEAS,
    ),
    _r(
        "MS02",
        "measures",
        ERROR,
        "因学，但没有义务教育保障、教育帮扶或社会帮扶措施：请落实教育帮扶",
        ["致贫/返贫风险", "义务教育保障", "教育帮扶", "社会帮扶"],
        B_MEAS,
    ),
    _r(
        "MS03",
        "measures",
        ERROR,
        "有义务教育阶段失学辍学儿童，但没有义务教育保障措施：请落实控辍保学",
        ["是否义务教育阶段适龄儿童少年失学辍学", "义务教育保障"],
        B_MEAS,
    ),
    _r(
        "MS04",
        "measures",
        ERROR,
        "因残，但没有综合保障或社会帮扶措施：请落实残疾人补贴等保障",
        ["致贫/返贫风险", "综合保障", "社会帮扶"],
        B_MEAS,
    ),
    _r(
        "MS05",
        "measures",
        ERROR,
        "风险类型含住房安全问题，但没有住房安全保障或搬迁措施：请落实危房改造或搬迁",
        ["致贫/返贫风险", "住房安全保障", "搬迁"],
        B_MEAS,
    ),
    _r(
        "MS06",
        "measures",
        ERROR,
        "风险类型含饮水安全问题，但没有饮水安全保障措施：请落实饮水安全保障",
        ["致贫/返贫风险", "饮水安全保障"],
        B_MEAS,
    ),
    _r(
        "MS07",
        "measures",
        WARNING,
        "有劳动能力的监测户只有综合保障措施：请增加产业、就业等开发式帮扶",
        ["综合保障", "产业帮扶", "就业帮扶", "劳动技能"],
        B_MEAS,
    ),
    _r(
        "MS08",
        "measures",
        ERROR,
        "纳入监测已超过落实帮扶措施的时限，仍没有任何帮扶措施：请尽快制定并落实帮扶措施",
        ["识别监测时间", "产业帮扶", "就业帮扶", "综合保障"],
        B_MEAS,
    ),
    _r(
        "MS09",
        "measures",
        ERROR,
        "已标注风险消除，但没有任何帮扶措施：消除须至少落实一项帮扶措施，请核对",
        ["风险是否已消除", "产业帮扶", "就业帮扶", "综合保障"],
        B_ELIM,
    ),
    _r(
        "MS10",
        "measures",
        WARNING,
        "整户无劳动能力兜底保障户没有综合保障措施：请落实低保、特困供养等兜底保障",
        ["整户无劳动能力兜底保障户", "综合保障"],
        B_MEAS,
    ),
    _r(
        "MS11",
        "measures",
        WARNING,
        "有公益岗位帮扶措施，但没有成员在公益性岗位：请核对措施或成员的公益性岗位",
        ["公益岗位帮扶", "公益性岗位"],
        B_MEAS,
    ),
    _r(
        "MS12",
        "measures",
        WARNING,
        "监测户有成员在公益性岗位，但没有公益岗位帮扶措施：请补录措施",
        ["公益性岗位", "公益岗位帮扶"],
        B_MEAS,
    ),
    # ---- Safety (住房与饮水安全) -----------------------------------------------------------------
    _r(
        "SF01",
        "safety",
        ERROR,
        "危房户（或住房 C、D 级）没有住房安全保障或搬迁措施：请落实危房改造或搬迁",
        ["是否危房户", "住房安全保障", "搬迁"],
        B_HOUSE,
    ),
    _r(
        "SF02",
        "safety",
        ERROR,
        "未解决安全饮用水，但没有饮水安全保障措施：请落实饮水安全保障",
        ["是否解决安全饮用水", "饮水安全保障"],
        B_HOUSE,
    ),
    _r(
        "SF03",
        "safety",
        WARNING,
        "风险类型含住房安全问题，但户标记为非危房：请核对",
        ["致贫/返贫风险", "是否危房户"],
        B_HOUSE,
    ),
    _r(
        "SF04",
        "safety",
        WARNING,
        "风险类型含饮水安全问题，但户标记为已解决安全饮用水：请核对",
        ["致贫/返贫风险", "是否解决安全饮用水"],
        B_HOUSE,
    ),
    _r(
        "SF05",
        "safety",
        ERROR,
        "已标注风险消除，但仍是危房户：住房安全未保障不能消除，请回退或核对",
        ["风险是否已消除", "是否危房户"],
        B_ELIM,
    ),
    _r(
        "SF06",
        "safety",
        ERROR,
        "已标注风险消除，但未解决安全饮用水：饮水安全未保障不能消除，请回退或核对",
        ["风险是否已消除", "是否解决安全饮用水"],
        B_ELIM,
    ),
    _r(
        "SF07",
        "safety",
        ERROR,
        "已标注风险消除，但有义务教育阶段失学辍学儿童：义务教育未保障不能消除，请回退或核对",
        ["风险是否已消除", "是否义务教育阶段适龄儿童少年失学辍学"],
        B_ELIM,
    ),
    _r(
        "SF08",
        "safety",
        WARNING,
        "风险消除后住房损毁：请入户核实并按程序风险再标注",
        ["风险消除后是否住房损毁"],
        B_ELIM,
    ),
    _r(
        "SF09",
        "safety",
        WARNING,
        "风险消除后饮水设施损毁：请入户核实并按程序风险再标注",
        ["风险消除后是否饮水设施损毁"],
        B_ELIM,
    ),
    # ---- Contacts (联系方式) ---------------------------------------------------------------------
    _r(
        "CT01",
        "contacts",
        ERROR,
        "监测户没有户联系电话：请补填，便于帮扶责任人联系",
        ["户联系电话"],
        "防止返贫动态监测和帮扶机制——监测户应有可联系的电话",
    ),
    _r(
        "CT02",
        "contacts",
        ERROR,
        "风险已消除的户没有户联系电话：消除后仍须跟踪回访，请补填",
        ["户联系电话", "风险是否已消除"],
        B_ELIM,
    ),
    _r(
        "CT03",
        "contacts",
        WARNING,
        "户联系电话不是有效的手机号（11 位，1 开头）或固定电话：请核对",
        ["户联系电话"],
        B_SYS,
    ),
    _r(
        "CT04",
        "contacts",
        WARNING,
        "家庭成员联系电话不是有效的手机号或固定电话：请核对",
        ["家庭成员联系电话"],
        B_SYS,
        "member",
    ),
    _r("CT05", "contacts", WARNING, "信息采集人为空：请补填", ["信息采集人"], B_SYS),
    _r(
        "CT06",
        "contacts",
        WARNING,
        "信息采集人联系电话为空或无效：请补填",
        ["信息采集人联系电话"],
        B_SYS,
    ),
    _r(
        "CT07",
        "contacts",
        WARNING,
        "户联系电话与信息采集人联系电话相同：请填写农户本人的电话",
        ["户联系电话", "信息采集人联系电话"],
        B_SYS,
    ),
]
BY_CODE = {r.code: r for r in RULES}
MEMBER_RULES = [r.code for r in RULES if r.scope == "member"]
HOUSEHOLD_RULES = [r.code for r in RULES if r.scope == "household"]
assert len(BY_CODE) == len(RULES), "rule codes must be unique"


# ---- Expressions ---------------------------------------------------------------------------------


def _blank(col):
    return col.fill_null("").strip() == ""


def _month_index(text):
    """YYYYMM → year × 12 + month − 1; null when not six digits."""
    good = text.fill_null("").re_search(r"^[0-9]{6}$")
    year = ibis.ifelse(good, text.substr(0, 4), ibis.null("string")).cast("int64")
    month = ibis.ifelse(good, text.substr(4, 2), ibis.null("string")).cast("int64")
    return year * _i64(12) + month - _i64(1)


def _digit(text, i: int):
    return (text.substr(i, 1).ascii_str() - 48).cast("int64")


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_id_checks(members: ibis.Table) -> ibis.Table:
    """members with id_ok, id_birth (YYYYMMDD as a number) and id_sex of the resident ID number: well
    formed = 18 characters, 17 digits, a plausible birth date and the ISO 7064 MOD 11-2 check character
    (the weighted sum of all 18, X counting 10 with weight 1, leaves 1 modulo 11). Staged: the
    upper-cased number, then its digits, then the checks — each computed once per member."""
    s0 = members.mutate(_idn=members.id_number.fill_null("").upper())
    s1 = s0.mutate(
        _shape=s0._idn.re_search(r"^[1-8][0-9]{16}[0-9X]$"),
        _x=s0._idn.substr(17, 1) == "X",
        **{f"_d{i}": _digit(s0._idn, i) for i in range(18)},
    )
    d = [s1[f"_d{i}"] for i in range(18)]
    total = d[0] * _WEIGHTS[0]
    for i in range(1, 17):
        total = total + d[i] * _WEIGHTS[i]
    last = ibis.ifelse(s1._x, 10, d[17])
    year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9]
    month = d[10] * 10 + d[11]
    day = d[12] * 10 + d[13]
    plausible = (year >= 1880) & (year <= 2099) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    s2 = s1.mutate(
        id_ok=(s1._shape & plausible & ((total + last) % 11 == 1)).fill_null(False),
        id_birth=(year * 10000 + month * 100 + day).cast("int64"),
        id_sex=ibis.ifelse(d[16] % 2 == 1, "男", "女"),
    )
    return s2.drop("_idn", "_shape", "_x", *[f"_d{i}" for i in range(18)])


def _phone_ok(phone):
    p = phone.fill_null("").replace("-", "").replace(" ", "")
    return p.re_search(r"^1[3-9][0-9]{9}$") | p.re_search(r"^0[0-9]{9,11}$")


def _attach(left: ibis.Table, right: ibis.Table) -> ibis.Table:
    right = right.rename(_rhs_id="household_id")
    return left.left_join(right, left.household_id == right._rhs_id).drop("_rhs_id")


def _any(exprs):
    out = ibis.literal(False)
    for e in exprs:
        out = out | e
    return out


def quality_flags(
    *,
    households: ibis.Table,
    members: ibis.Table,
    measures: ibis.Table,
    params: QualityParams,
    as_of: date,
) -> tuple[ibis.Table, ibis.Table]:
    """(member flags, household flags): keys and one boolean column per rule."""
    p = params
    members = _with_id_checks(members)
    members = members.mutate(age=_age_at(members.birth_date, as_of))
    age = members.age
    resident = members.id_type.fill_null("居民身份证").isin(["居民身份证", ""])
    compulsory = (age >= p.compulsory_age_min) & (age <= p.compulsory_age_max)
    in_school = ~_blank(members.school_status)
    has_reason = ~_blank(members.not_in_school_reason)
    insured = members.resident_medical.fill_null(False) | members.employee_medical.fill_null(False)
    m = members.mutate(
        resident=resident,
        out_of_school=(compulsory & ~in_school & ~has_reason).fill_null(False),
        in_school=in_school,
        insured=insured,
        is_head=members.relation == "户主",
        is_spouse=members.relation == "配偶",
        has_labour=members.labour_skill.isin(LABOUR).fill_null(False),
        full_labour=members.labour_skill.isin(FULL_LABOUR).fill_null(False),
        disabled=(members.health == "残疾").fill_null(False),
        ill=members.health.isin(["患大病", "长期慢性病"]).fill_null(False),
        serious=(members.health == "患大病").fill_null(False),
        welfare=~_blank(members.welfare_job),
        worker=~_blank(members.work_place),
        support=(
            (~_blank(members.dibao) & ~members.dibao.fill_null("").isin(["未享受", "不享受", "否"]))
            | (~_blank(members.tekun) & ~members.tekun.fill_null("").isin(["未享受", "不享受", "否"]))
        ),
    )
    i64 = "int64"
    facts = m.group_by("household_id").aggregate(
        n_members=_.count(),
        n_heads=_.is_head.cast(i64).sum(),
        n_spouses=_.is_spouse.cast(i64).sum(),
        head_age=_.age.max(where=_.is_head),
        head_sex=_.sex.max(where=_.is_head),
        n_labour=_.has_labour.cast(i64).sum(),
        n_full_labour=_.full_labour.cast(i64).sum(),
        n_disabled=_.disabled.cast(i64).sum(),
        n_ill=_.ill.cast(i64).sum(),
        n_serious=_.serious.cast(i64).sum(),
        n_uninsured=(~_.insured).cast(i64).sum(),
        n_out_of_school=_.out_of_school.cast(i64).sum(),
        n_in_school=_.in_school.cast(i64).sum(),
        n_welfare=_.welfare.cast(i64).sum(),
        n_workers=_.worker.cast(i64).sum(),
        n_support=_.support.cast(i64).sum(),
    )
    dup = (
        members.filter(~_blank(members.id_number))
        .group_by(key=_.id_number.upper())
        .aggregate(n_same=_.count())
    )
    dup = dup.filter(dup.n_same > 1)
    cats = measures.mutate(one=ibis.literal(1, type=i64))
    have = cats.group_by("household_id").aggregate(
        n_measures=_.one.sum(),
        **{f"ms_{i}": _.one.sum(where=_.category == c) for i, c in enumerate(MEASURE_CATEGORIES)},
    )

    h = _attach(households, facts)
    h = _attach(h, have)
    # Stage the household facts the rules share as columns, so each is computed once (Ibis puts a
    # subquery between mutates instead of repeating the expression in every rule).
    padded = "|" + h.risk_types.fill_null("") + "|"
    net = h.wage.fill_null(0) + h.business.fill_null(0) + h.property_income.fill_null(0)
    h = h.mutate(
        **{f"_ms{i}": h[f"ms_{i}"].fill_null(0) > 0 for i in range(len(MEASURE_CATEGORIES))},
        **{f"_risk{i}": padded.contains(f"|{name}|") for i, name in enumerate(RISK_NAMES)},
        _risk_blank=_blank(h.risk_types),
        _n_measures=h.n_measures.fill_null(0),
        _monitored=~_blank(h.category),
        _eliminated=h.risk_eliminated.fill_null(False),
        _ident=_month_index(h.identified_month),
        _elim=_month_index(h.eliminated_month),
        _size=h.size.fill_null(0),
        _full_income=h.income_months.fill_null(0) >= 12,
        _net=net + h.transfer.fill_null(0) - h.business_cost.fill_null(0),
        _n_labour=h.n_labour.fill_null(0),
        _n_full=h.n_full_labour.fill_null(0),
        _wage=h.wage.fill_null(0),
        _house_bad=(h.house_dangerous == True) | h.house_grade.isin(["C", "D"]),  # noqa: E712
        _water_bad=_any(
            [
                h.water_secured == False,  # noqa: E712 — null (not recorded) is not a problem
                h.water_quantity_ok == False,  # noqa: E712
                h.water_quality_ok == False,  # noqa: E712
                h.water_convenience_ok == False,  # noqa: E712
                h.water_reliability_ok == False,  # noqa: E712
            ]
        ),
        _dropout=h.dropout.fill_null(False) | (h.n_out_of_school.fill_null(0) > 0),
        _phone=h.phone.fill_null("").strip(),
        _cphone=h.collector_phone.fill_null("").strip(),
    )
    h = h.mutate(
        _open=h._monitored & ~h._eliminated,
        _per_capita=ibis.ifelse(h._size > 0, h._net // h._size.nullif(0), ibis.null(i64)),
        _workers=ibis.ifelse(h._n_labour > 0, h._n_labour, ibis.null(i64)),
        _phone_ok=_phone_ok(h._phone),
        _cphone_ok=_phone_ok(h._cphone),
    )
    hm = {c: h[f"_ms{i}"] for i, c in enumerate(MEASURE_CATEGORIES)}
    R = {name: h[f"_risk{i}"] for i, name in enumerate(RISK_NAMES)}
    n_measures = h._n_measures
    monitored = h._monitored
    open_case = h._open
    eliminated = h._eliminated
    ident = h._ident
    elim = h._elim
    due = as_of - timedelta(days=p.measure_due_days)
    due_index = due.year * 12 + due.month - 1
    size = h._size
    full_income = h._full_income
    net = h._net
    per_capita = h._per_capita
    n_labour = h._n_labour
    n_full = h._n_full
    workers = h._workers
    wage = h._wage
    house_bad = h._house_bad
    water_bad = h._water_bad
    dropout = h._dropout
    health_measure = hm["健康帮扶"] | hm["社会帮扶"]
    phone = h._phone
    collector_phone = h._cphone
    tol = _i64(p.income_tolerance)
    household_rules = {
        "HH01": h.n_heads.fill_null(0) == 0,
        "HH02": h.n_heads.fill_null(0) > 1,
        "HH03": h.n_spouses.fill_null(0) > 1,
        "HH04": h.head_age < p.labour_age_min,
        "HH09": h.declared_size.notnull() & (h.declared_size != h.n_members.fill_null(0)),
        "HH11": _blank(h.household_type),
        "ED02": (h.dropout == True) & (h.n_out_of_school.fill_null(0) == 0),  # noqa: E712
        "ED06": R["因学"] & (h.n_in_school.fill_null(0) == 0),
        "ED08": (h.n_out_of_school.fill_null(0) > 0) & ~h.dropout.fill_null(False),
        "LB01": R["缺劳动力"] & (n_labour * 2 > size) & (size > 0),
        "LB08": h.whole_no_labour.fill_null(False) & (n_full > 0),
        "LB09": (n_labour == 0) & (wage > 0) & (size > 0),
        "LB11": open_case & (n_labour == 0) & (size > 0) & ~h.whole_no_labour.fill_null(False),
        "HL01": R["因残"] & (h.n_disabled.fill_null(0) == 0),
        "HL02": R["因病"] & (h.out_of_pocket.fill_null(0) == 0),
        "HL03": R["因病"] & (h.n_ill.fill_null(0) == 0),
        "HL04": (h.member_uninsured == False) & (h.n_uninsured.fill_null(0) > 0),  # noqa: E712
        "HL05": (h.member_uninsured == True) & (h.n_uninsured.fill_null(0) == 0) & (size > 0),  # noqa: E712
        "HL06": open_case & (h.n_serious.fill_null(0) > 0) & ~R["因病"],
        "IN01": h.stated_net.notnull() & full_income & ((h.stated_net - net).abs() > tol),
        "IN02": h.stated_per_capita.notnull()
        & h.stated_net.notnull()
        & (size > 0)
        & ((h.stated_per_capita * size - h.stated_net).abs() > tol * size),
        "IN03": monitored & full_income & (per_capita > _i64(p.per_capita_max)),
        "IN04": full_income & (net <= 0),
        "IN05": full_income & (wage > 0) & (wage > workers * _i64(12 * p.monthly_wage_max)),
        "IN06": full_income & (wage > 0) & (wage < workers * _i64(12 * p.monthly_wage_min)),
        "IN07": eliminated
        & (h.elimination_method == "帮扶消除")
        & full_income
        & (per_capita < _i64(p.threshold)),
        "IN08": open_case & (h.income_months.fill_null(0) == 0),
        "IN09": full_income & (h.business_cost.fill_null(0) > 0) & (h.business.fill_null(0) == 0),
        "IN10": full_income & (h.n_support.fill_null(0) > 0) & (h.transfer.fill_null(0) == 0),
        "IN11": full_income & (h.n_workers.fill_null(0) > 0) & (wage == 0),
        "MO01": (h.category == "脱贫不稳定户") & (h.household_type != "脱贫户"),
        "MO02": (h.category == "边缘易致贫户") & (h.household_type != "一般农户"),
        "MO03": monitored & _blank(h.identified_month),
        "MO04": ~monitored & ~_blank(h.identified_month),
        "MO05": eliminated & _blank(h.eliminated_month),
        "MO06": eliminated & _blank(h.elimination_method),
        "MO07": eliminated & (elim - ident >= 0) & (elim - ident < p.elimination_min_months),
        "MO08": eliminated & h.whole_no_labour.fill_null(False),
        "MO09": elim < ident,
        "MO10": monitored & h._risk_blank,
        "MO11": ~eliminated & (~_blank(h.elimination_method) | ~_blank(h.eliminated_month)),
        "MO12": (h.category == "突发严重困难户") & ~_any([R[r] for r in SUDDEN_RISKS]),
        "MO13": open_case
        & h.category.isin(["脱贫不稳定户", "边缘易致贫户"])
        & full_income
        & (per_capita > _i64(p.threshold)),
        "MO14": ~monitored & full_income & (per_capita < _i64(p.threshold)) & (size > 0),
        "MO15": ~monitored & eliminated,
        "MS01": monitored
        & (R["因病"] | (h.member_uninsured == True) | (h.n_uninsured.fill_null(0) > 0))  # noqa: E712
        & ~health_measure,
        "MS02": monitored & R["因学"] & ~(hm["义务教育保障"] | hm["教育帮扶"] | hm["社会帮扶"]),
        "MS03": monitored & dropout & ~hm["义务教育保障"],
        "MS04": monitored & R["因残"] & ~(hm["综合保障"] | hm["社会帮扶"]),
        "MS05": monitored & R["住房出现安全问题"] & ~(hm["住房安全保障"] | hm["搬迁"]),
        "MS06": monitored & R["饮水出现安全问题"] & ~hm["饮水安全保障"],
        "MS07": monitored & (n_labour > 0) & hm["综合保障"] & (n_measures == 1),
        # Identified in a month that ended more than measure_due_days before the check date.
        "MS08": open_case & (ident < due_index) & (n_measures == 0),
        "MS09": eliminated & (n_measures == 0),
        "MS10": h.whole_no_labour.fill_null(False) & ~hm["综合保障"],
        "MS11": hm["公益岗位帮扶"] & (h.n_welfare.fill_null(0) == 0),
        "MS12": monitored & (h.n_welfare.fill_null(0) > 0) & ~hm["公益岗位帮扶"],
        "SF01": monitored & house_bad & ~(hm["住房安全保障"] | hm["搬迁"]),
        "SF02": monitored & water_bad & ~hm["饮水安全保障"],
        "SF03": R["住房出现安全问题"] & (h.house_dangerous == False),  # noqa: E712
        "SF04": R["饮水出现安全问题"] & (h.water_secured == True),  # noqa: E712
        "SF05": eliminated & house_bad,
        "SF06": eliminated & water_bad,
        "SF07": eliminated & dropout,
        "SF08": eliminated & (h.house_damaged_after == True),  # noqa: E712
        "SF09": eliminated & (h.water_damaged_after == True),  # noqa: E712
        "CT01": open_case & (phone == ""),
        "CT02": monitored & eliminated & (phone == ""),
        "CT03": (phone != "") & ~h._phone_ok,
        "CT05": monitored & _blank(h.collector),
        "CT06": monitored & ((collector_phone == "") | ~h._cphone_ok),
        "CT07": (phone != "") & (phone == collector_phone),
    }
    assert set(household_rules) == set(HOUSEHOLD_RULES), set(household_rules) ^ set(HOUSEHOLD_RULES)
    hf = h.select("household_id", "row", **{c: household_rules[c].fill_null(False) for c in HOUSEHOLD_RULES})

    # Member rules: each member with its household's facts.
    facts_h = facts.select(_fid="household_id", head_age=facts.head_age, head_sex=facts.head_sex)
    mm = m.left_join(facts_h, m.household_id == facts_h._fid).drop("_fid")
    dup_keys = dup.select(_key="key")
    mm = mm.left_join(dup_keys, mm.id_number.upper() == dup_keys._key)
    grades = ibis.memtable(
        {
            "_grade": list(GRADE_AGES),
            "_expected": [a for a, _both in GRADE_AGES.values()],
            "_both": [both for _a, both in GRADE_AGES.values()],
        }
    ).cast({"_grade": "string", "_expected": "int64", "_both": "boolean"})
    mm = mm.left_join(grades, mm.school_status == grades._grade).drop("_grade")
    expected_age = mm._expected
    gt = p.grade_age_tolerance
    phone_m = mm.phone.fill_null("").strip()
    rel = mm.relation
    member_rules = {
        "ID01": _blank(mm.id_number),
        "ID02": ~_blank(mm.id_number) & mm.resident & ~mm.id_ok,
        "ID03": mm.resident
        & mm.id_ok
        & mm.birth_date.notnull()
        & (
            mm.birth_date.year().cast("int64") * 10000
            + mm.birth_date.month().cast("int64") * 100
            + mm.birth_date.day().cast("int64")
            != mm.id_birth
        ),
        "ID04": mm.resident & mm.id_ok & ~_blank(mm.sex) & (mm.sex != mm.id_sex),
        "ID05": mm.birth_date.isnull() & ~mm.birth_invalid.fill_null(False),
        "ID06": mm.birth_invalid.fill_null(False) | (mm.birth_date > as_of) | (mm.age > p.max_age),
        "ID07": _blank(mm.name),
        "ID08": mm._key.notnull(),
        "ID09": _blank(mm.sex),
        "ID10": _blank(mm.ethnicity),
        "ID11": (mm.id_type == "残疾人证") & ~mm.id_number.fill_null("").length().isin([20, 22]),
        "HH05": rel.isin(["之子", "之女"]) & (mm.age > mm.head_age - p.parent_child_age_gap),
        "HH06": rel.isin(["之父", "之母"]) & (mm.age < mm.head_age + p.parent_child_age_gap),
        "HH07": _blank(rel),
        "HH08": ~_blank(rel) & ~rel.isin(RELATIONS),
        "HH10": (rel == "配偶") & ~_blank(mm.sex) & (mm.sex == mm.head_sex),
        "HH12": rel.isin(["之孙子", "之孙女", "之外孙子", "之外孙女"])
        & (mm.age > mm.head_age - 2 * p.parent_child_age_gap),
        "ED01": mm.out_of_school,
        "ED03": expected_age.notnull()
        & ((mm.age < expected_age - gt) | (mm._both.fill_null(False) & (mm.age > expected_age + gt))),
        "ED04": mm.education.isin(HIGHER_EDUCATION) & (mm.age < 18),
        "ED05": mm.in_school & ~_blank(mm.not_in_school_reason),
        "ED07": ~_blank(mm.not_in_school_reason)
        & ((mm.age < p.compulsory_age_min) | (mm.age > p.compulsory_age_max)),
        "LB02": mm.welfare & ((mm.age < p.welfare_job_age_min) | (mm.age > p.welfare_job_age_limit)),
        "LB03": mm.welfare & (mm.age > p.welfare_job_age_max) & (mm.age <= p.welfare_job_age_limit),
        "LB04": mm.welfare & mm.full_labour,
        "LB05": _blank(mm.labour_skill)
        & (mm.age >= p.labour_age_min)
        & (mm.age <= p.labour_age_max)
        & ~mm.in_school,
        "LB06": mm.full_labour & (mm.age < p.labour_age_min),
        "LB07": mm.labour_skill.isin(NO_LABOUR) & mm.worker,
        "LB10": mm.full_labour & (mm.age > p.senior_age),
        "HL07": ~mm.insured,
        "HL08": mm.critical_illness.fill_null(False) & ~mm.insured,
        "CT04": (phone_m != "") & ~_phone_ok(phone_m),
    }
    assert set(member_rules) == set(MEMBER_RULES), set(member_rules) ^ set(MEMBER_RULES)
    mf = mm.select(
        "household_id", "member_id", "row", **{c: member_rules[c].fill_null(False) for c in MEMBER_RULES}
    )
    return mf, hf


def long_findings(member_flags: pa.Table, household_flags: pa.Table) -> pa.Table:
    """The wide flag tables (as Arrow) → household_id, member_id, row, code; ordered for stable output."""
    parts = []
    for flags, codes in ((member_flags, MEMBER_RULES), (household_flags, HOUSEHOLD_RULES)):
        for code in codes:
            hit = flags.filter(pc.fill_null(flags[code], False))
            if hit.num_rows == 0:
                continue
            member = (
                hit["member_id"] if "member_id" in hit.column_names else pa.nulls(hit.num_rows, pa.int64())
            )
            parts.append(
                pa.table(
                    {
                        "household_id": hit["household_id"].cast(pa.int64()),
                        "member_id": member.cast(pa.int64()),
                        "row": hit["row"].cast(pa.int64()),
                        "code": pa.array([code] * hit.num_rows, pa.string()),
                    }
                )
            )
    schema = pa.schema(
        [("household_id", pa.int64()), ("member_id", pa.int64()), ("row", pa.int64()), ("code", pa.string())]
    )
    if not parts:
        return schema.empty_table()
    table = pa.concat_tables(parts)
    return table.sort_by([("household_id", "ascending"), ("code", "ascending"), ("member_id", "ascending")])


# ---- Input schemas (Arrow) -----------------------------------------------------------------------

_S, _B, _I = pa.string(), pa.bool_(), pa.int64()
HOUSEHOLD_SCHEMA = pa.schema(
    [
        ("household_id", _I),
        ("row", _I),
        ("household_type", _S),
        ("size", _I),
        ("declared_size", _I),
        ("whole_no_labour", _B),
        ("category", _S),
        ("identified_month", _S),
        ("risk_types", _S),
        ("risk_eliminated", _B),
        ("elimination_method", _S),
        ("eliminated_month", _S),
        ("house_grade", _S),
        ("house_dangerous", _B),
        ("water_secured", _B),
        ("water_quantity_ok", _B),
        ("water_quality_ok", _B),
        ("water_convenience_ok", _B),
        ("water_reliability_ok", _B),
        ("dropout", _B),
        ("member_uninsured", _B),
        ("house_damaged_after", _B),
        ("water_damaged_after", _B),
        ("phone", _S),
        ("collector", _S),
        ("collector_phone", _S),
        ("income_months", _I),
        ("wage", _I),
        ("business", _I),
        ("property_income", _I),
        ("transfer", _I),
        ("business_cost", _I),
        ("claims", _I),
        ("out_of_pocket", _I),
        ("stated_net", _I),
        ("stated_per_capita", _I),
    ]
)
MEMBER_SCHEMA = pa.schema(
    [
        ("member_id", _I),
        ("household_id", _I),
        ("row", _I),
        ("name", _S),
        ("id_type", _S),
        ("id_number", _S),
        ("sex", _S),
        ("birth_date", pa.date32()),
        ("birth_invalid", _B),
        ("relation", _S),
        ("ethnicity", _S),
        ("education", _S),
        ("school_status", _S),
        ("not_in_school_reason", _S),
        ("health", _S),
        ("labour_skill", _S),
        ("work_place", _S),
        ("welfare_job", _S),
        ("dibao", _S),
        ("tekun", _S),
        ("resident_medical", _B),
        ("employee_medical", _B),
        ("critical_illness", _B),
        ("phone", _S),
    ]
)
MEASURE_SCHEMA = pa.schema([("household_id", _I), ("category", _S)])


def arrow_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """Rows (dicts; missing keys are null) as an Arrow table of `schema`."""
    return pa.table(
        {f.name: pa.array([r.get(f.name) for r in rows], type=f.type) for f in schema}, schema=schema
    )

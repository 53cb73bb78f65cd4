"""Code tables of the registry, spelled as the national system spells them."""

from django.db import models


class HouseholdType(models.TextChoices):
    FORMERLY_POOR = "脱贫户", "脱贫户"
    ORDINARY = "一般农户", "一般农户"
    OTHER = "其他", "其他"


class Category(models.TextChoices):
    """监测对象类别 (code table 100A03)."""

    UNSTABLE = "脱贫不稳定户", "脱贫不稳定户"
    MARGINAL = "边缘易致贫户", "边缘易致贫户"
    SUDDEN = "突发严重困难户", "突发严重困难户"


CATEGORY_CODES = {
    Category.UNSTABLE: "100A03001",
    Category.MARGINAL: "100A03002",
    Category.SUDDEN: "100A03003",
}


class EliminationMethod(models.TextChoices):
    ASSISTED = "帮扶消除", "帮扶消除"
    NATURAL = "自然消除", "自然消除"


RISK_TYPES = [
    "因病",
    "因残",
    "因学",
    "因自然灾害",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "住房出现安全问题",
    "饮水出现安全问题",
    "义务教育阶段适龄儿童少年失学辍学",
    "其他",
]


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class IdType(models.TextChoices):
    RESIDENT = "居民身份证", "居民身份证（户口簿）"
    DISABILITY = "残疾人证", "残疾人证"
    PASSPORT = "护照", "护照"
    OTHER = "其他", "其他"


class Health(models.TextChoices):
    HEALTHY = "健康", "健康"
    CHRONIC = "长期慢性病", "长期慢性病"
    SERIOUS = "患大病", "患大病"
    DISABLED = "残疾", "残疾"


class LabourSkill(models.TextChoices):
    ORDINARY = "普通劳动力", "普通劳动力"
    SKILLED = "技能劳动力", "技能劳动力"
    WEAK = "弱劳动力或半劳动力", "弱劳动力或半劳动力"
    LOST = "丧失劳动力", "丧失劳动力"
    NONE = "无劳动力", "无劳动力"


HAS_LABOUR = {LabourSkill.ORDINARY, LabourSkill.SKILLED, LabourSkill.WEAK}


class HouseGrade(models.TextChoices):
    A = "A", "A 级"
    B = "B", "B 级"
    C = "C", "C 级（危房）"
    D = "D", "D 级（危房）"


EDUCATION = ["文盲或半文盲", "学龄前儿童", "小学", "初中", "高中", "中职", "大专", "本科及以上"]
RELATIONS = [
    "户主",
    "配偶",
    "之子",
    "之女",
    "之儿媳",
    "之女婿",
    "之孙子",
    "之孙女",
    "之父",
    "之母",
    "兄弟姐妹",
    "其他",
]
SCHOOL_GRADES = (
    ["学前教育"]
    + [f"{n}年级" for n in "一二三四五六七八九"]
    + ["高中一年级", "高中二年级", "高中三年级", "中职一年级", "中职二年级", "中职三年级"]
    + [
        "高职高专一年级",
        "高职高专二年级",
        "高职高专三年级",
        "本科一年级",
        "本科二年级",
        "本科三年级",
        "本科四年级",
    ]
    + ["硕士生及以上"]
)

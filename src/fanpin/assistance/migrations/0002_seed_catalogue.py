"""Seed the national measure catalogue (帮扶措施目录): the items of each category of domain §5.

A frozen copy of the list (later edits to choices.SEED_ITEMS do not change what this migration did).
"""

from django.db import migrations

ITEMS = {
    "100A39": ["种植业", "养殖业", "农产品加工", "乡村旅游", "光伏收益", "产业奖补", "入股分红", "技术指导"],
    "100A40": [
        "外出务工",
        "劳务输出",
        "外出务工补贴",
        "就近就业",
        "就业帮扶车间",
        "技能培训",
        "一次性交通补贴",
    ],
    "100A41": ["小额信贷", "贷款贴息", "防贫保险"],
    "100A42": ["公益性岗位"],
    "100A45": ["参保资助", "大病保险", "医疗救助", "家庭医生签约服务", "慢性病签约服务"],
    "100A46": ["控辍保学", "送教上门", "义务教育阶段资助"],
    "100A47": ["雨露计划", "学前教育资助", "高中阶段资助", "大学生资助"],
    "100A48": ["低保", "特困供养", "临时救助", "残疾人补贴", "应急救助", "高龄补贴"],
    "100A50": ["危房改造", "农房抗震改造", "住房维修"],
    "100A51": ["饮水工程", "水质提升", "供水设施维修", "集中供水入户"],
    "100A52": ["结对帮扶", "社会捐赠", "消费帮扶", "志愿服务"],
    "100A53": ["易地搬迁后续扶持"],
    "100A54": ["改厕", "入户道路硬化", "人居环境整治"],
    "100A55": ["村组道路", "农田水利", "电网改造"],
}


def seed(apps, schema_editor):
    MeasureItem = apps.get_model("assistance", "MeasureItem")
    existing = set(MeasureItem.objects.filter(area_code="").values_list("category", "name"))
    MeasureItem.objects.bulk_create(
        [
            MeasureItem(category=category, name=name, area_code="", sort=n)
            for category, names in ITEMS.items()
            for n, name in enumerate(names, start=1)
            if (category, name) not in existing
        ]
    )


def unseed(apps, schema_editor):
    MeasureItem = apps.get_model("assistance", "MeasureItem")
    for category, names in ITEMS.items():
        MeasureItem.objects.filter(area_code="", category=category, name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

from django.db import models

from fanpin.core.fields import EncryptedCharField
from fanpin.registry.choices import Category, EliminationMethod, HouseGrade, HouseholdType


def _area(verbose):
    return models.DecimalField(verbose, max_digits=10, decimal_places=2, null=True, blank=True)


class Household(models.Model):
    """户: the unit of monitoring. Carries its village and the denormalised higher codes, so that an
    area filter is one indexed lookup."""

    code = models.CharField("户编号", max_length=32, unique=True)
    # Indexes are in Meta, as plain B-trees: the area filters are equalities (core/scope.py), so the
    # extra varchar_pattern_ops ("_like") indexes PostgreSQL gets for db_index=True are never used, and
    # county_code and village lead the composite indexes already. Fewer indexes = faster bulk loads.
    village = models.ForeignKey(
        "divisions.Division",
        verbose_name="村",
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,
    )
    province_code = models.CharField("省代码", max_length=2)
    city_code = models.CharField("市代码", max_length=4)
    county_code = models.CharField("县代码", max_length=6)
    township_code = models.CharField("乡镇代码", max_length=9)

    household_type = models.CharField("户类型", max_length=20, choices=HouseholdType.choices)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = EncryptedCharField("户联系电话", plain_max_length=40, kind="phone", blank=True)
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    size = models.PositiveSmallIntegerField("家庭人口数", default=0)

    whole_no_labour = models.BooleanField("整户无劳动能力兜底保障户", default=False)
    relocated = models.BooleanField("易地扶贫搬迁户", default=False)

    # Monitoring status
    category = models.CharField("监测对象类别", max_length=20, choices=Category.choices, blank=True)
    identified_month = models.CharField("识别监测时间", max_length=6, blank=True)
    risk_types = models.CharField(
        "致贫/返贫风险", max_length=200, blank=True, help_text="以“|”分隔，最多 5 项"
    )
    risk_eliminated = models.BooleanField("风险是否已消除", default=False)
    elimination_method = models.CharField(
        "风险消除方式", max_length=10, choices=EliminationMethod.choices, blank=True
    )
    eliminated_month = models.CharField("消除监测时间", max_length=6, blank=True)

    # Housing and water (三保障 and 饮水安全)
    house_area = _area("住房面积（平方米）")
    house_grade = models.CharField("住房安全等级", max_length=1, choices=HouseGrade.choices, blank=True)
    water_quantity_ok = models.BooleanField("饮水水量达标", null=True, blank=True)
    water_quality_ok = models.BooleanField("饮水水质达标", null=True, blank=True)
    water_convenience_ok = models.BooleanField("用水方便程度达标", null=True, blank=True)
    water_reliability_ok = models.BooleanField("供水保证率达标", null=True, blank=True)
    dropout = models.BooleanField("义务教育阶段适龄儿童少年失学辍学", default=False)
    # Flags as the national export records them (是/否; empty = not recorded)
    house_dangerous = models.BooleanField("是否危房户", null=True, blank=True)
    water_secured = models.BooleanField("是否解决安全饮用水", null=True, blank=True)
    member_uninsured = models.BooleanField(
        "是否有家庭成员未参加城乡居民（职工）基本医疗保险", null=True, blank=True
    )
    house_damaged_after = models.BooleanField("风险消除后是否住房损毁", null=True, blank=True)
    water_damaged_after = models.BooleanField("风险消除后是否饮水设施损毁", null=True, blank=True)
    measures_recorded = models.JSONField(
        "帮扶措施（导入）", default=dict, blank=True, help_text="国家系统导出文件中各类帮扶措施列的内容"
    )

    # Land and living conditions
    cultivated_area = _area("耕地面积（亩）")
    forest_area = _area("林地面积（亩）")
    returned_farmland_area = _area("退耕还林面积（亩）")
    orchard_area = _area("林果面积（亩）")
    pasture_area = _area("牧草地面积（亩）")
    water_surface_area = _area("水面面积（亩）")
    road_distance = _area("与村主干路距离（公里）")
    road_hardened = models.BooleanField("入户道路是否硬化", null=True, blank=True)
    sanitary_toilet = models.BooleanField("是否有卫生厕所", null=True, blank=True)

    # Latest 12-month income, kept current by registry services (yuan, Decimal)
    net_income = models.DecimalField(
        "家庭纯收入（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    per_capita_income = models.DecimalField(
        "人均纯收入（元）", max_digits=14, decimal_places=2, null=True, blank=True, db_index=True
    )

    collector = models.CharField("信息采集人", max_length=50, blank=True)
    collector_phone = EncryptedCharField("信息采集人联系电话", plain_max_length=40, kind="phone", blank=True)
    extra = models.JSONField(
        "其他列", default=dict, blank=True, help_text="导入文件中系统未识别的列，原样保留"
    )

    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["village", "code"]),
            models.Index(fields=["county_code", "household_type"]),
            models.Index(fields=["county_code", "category"]),
            models.Index(fields=["province_code"], name="household_province"),
            models.Index(fields=["city_code"], name="household_city"),
            models.Index(fields=["township_code"], name="household_township"),
            models.Index(fields=["category"], name="household_category"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name or '（户主未填）'}户（{self.code}）"

    @property
    def risk_list(self) -> list[str]:
        return [r for r in self.risk_types.split("|") if r]

    @property
    def house_unsafe(self) -> bool:
        return self.house_grade in (HouseGrade.C, HouseGrade.D) or self.house_dangerous is True

    @property
    def water_unsafe(self) -> bool:
        flags = [
            self.water_quantity_ok,
            self.water_quality_ok,
            self.water_convenience_ok,
            self.water_reliability_ok,
        ]
        return any(f is False for f in flags) or self.water_secured is False

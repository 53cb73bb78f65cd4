from django.db import models

from fanpin.assistance.choices import MeasureCategory


class MeasureItem(models.Model):
    """帮扶项目: an item within a measure category (低保 in 综合保障, 外出务工 in 就业帮扶 …).

    The national catalogue has area_code "" (seeded by a migration); a county (or city, province) adds
    its own items with its area code, seen only inside that area and by those above it."""

    category = models.CharField("帮扶措施类别", max_length=6, choices=MeasureCategory.choices)
    name = models.CharField("帮扶项目", max_length=50)
    area_code = models.CharField(
        "适用区划", max_length=12, blank=True, db_index=True, help_text="空 = 全国目录"
    )
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶项目"
        verbose_name_plural = "帮扶措施目录"
        ordering = ["category", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name", "area_code"], name="measure_item_unique")
        ]

    def __str__(self) -> str:
        return self.name

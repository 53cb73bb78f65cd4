from django.db import models

from fanpin.core.fields import EncryptedCharField


class ResponsibleUnit(models.Model):
    """帮扶单位 (e.g. 平定县供水管理局): belongs to an area (a division code); it may help households
    anywhere inside that area."""

    name = models.CharField("帮扶单位", max_length=100)
    area_code = models.CharField("所属区划代码", max_length=12, db_index=True)
    kind = models.CharField("单位类型", max_length=20, blank=True, help_text="如：县直部门、乡镇、企业")
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶单位"
        verbose_name_plural = "帮扶单位"
        ordering = ["area_code", "name"]
        constraints = [models.UniqueConstraint(fields=["area_code", "name"], name="responsible_unit_unique")]

    def __str__(self) -> str:
        return self.name


class ResponsiblePerson(models.Model):
    """帮扶责任人: a person of a unit who answers for households' measures. Phone masked by default."""

    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="帮扶单位", on_delete=models.PROTECT, related_name="persons"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", plain_max_length=40, kind="phone", blank=True)
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶责任人"
        verbose_name_plural = "帮扶责任人"
        ordering = ["unit_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}）"

    @property
    def area_code(self) -> str:
        return self.unit.area_code

from django.db import models

from fanpin.divisions.choices import Level


class Division(models.Model):
    """行政区划 node. The code is hierarchical: a node's code starts with its parent's code,
    so "everything in an area" is one indexed prefix lookup on code."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: "Division | str") -> bool:
        code = other if isinstance(other, str) else other.code
        return code.startswith(self.code)

    def ancestors(self) -> list["Division"]:
        """From the province down to (not including) this node."""
        from fanpin.divisions.choices import CODE_LENGTH

        codes = [self.code[:n] for lvl, n in CODE_LENGTH.items() if lvl < self.level]
        found = {d.code: d for d in Division.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]

    @property
    def full_name(self) -> str:
        return "".join(d.name for d in [*self.ancestors(), self])

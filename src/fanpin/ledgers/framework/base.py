"""The abstract base of every ledger entry: the area it belongs to, a version, who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LedgerEntry(models.Model):
    """One row of a ledger. `area` is a division (province … village); area scope is a prefix of its
    code, so `restrict(qs, user=, field="area__code")` bounds every read."""

    area = models.ForeignKey(
        "divisions.Division", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True


class PersonEntry(LedgerEntry):
    """An entry about a person of the registry. The name is kept with the entry, so a ledger keeps its
    history when the registry removes the member (减员: death, marriage out) and the link is cleared."""

    person_name = models.CharField("姓名（登记时）", max_length=50, blank=True, editable=False)

    class Meta:
        abstract = True


def person_name(entry, default: str = "") -> str:
    if getattr(entry, "member_id", None):
        return entry.member.name
    return getattr(entry, "person_name", "") or default

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from fanpin.accounts.choices import ROLE_PERMISSIONS, Role
from fanpin.core.fields import EncryptedCharField


class User(AbstractUser):
    """账号: one role within one area (a 行政区划 node), valid until an optional date.

    A user sees and changes only what lies under `area` (code prefix). A superuser without an area
    is the installation's technical owner and sees everything.
    """

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.VILLAGE)
    area = models.ForeignKey(
        "divisions.Division",
        verbose_name="所辖区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", plain_max_length=20, kind="phone", blank=True)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def area_code(self) -> str | None:
        """The code prefix that bounds everything this user sees; '' means everything."""
        if self.area_id:
            return self.area_id
        if self.is_superuser:
            return ""
        return None

    @property
    def is_expired(self) -> bool:
        return bool(self.valid_until and self.valid_until <= timezone.now())

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    def has_role_permission(self, permission: str) -> bool:
        if not self.is_active or self.is_expired:
            return False
        if self.is_superuser:
            return True
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def covers(self, code: str) -> bool:
        """True if the division `code` lies within this user's area."""
        prefix = self.area_code
        return prefix is not None and code.startswith(prefix)

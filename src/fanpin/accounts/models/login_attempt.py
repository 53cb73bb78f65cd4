from django.db import models


class LoginFailure(models.Model):
    """登录失败记录, used for lockout after repeated failures."""

    username = models.CharField("账号", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        ordering = ["-created_at"]

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from fanpin.accounts.models import User
from fanpin.accounts.services.login import (
    login_failure_record,
    login_ip_limited,
    login_locked,
)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。连续多次失败后账号将被暂时锁定。",
        "inactive": "该账号已停用。",
        "locked": "该账号因多次登录失败已被锁定，请 %(minutes)s 分钟后再试，或联系管理员解锁。",
        "expired": "该账号已过有效期，请联系管理员。",
        "ip_limited": "本机登录失败次数过多，请 %(minutes)s 分钟后再试，或联系管理员。",
    }

    def clean(self):
        """What the page says must not tell a stranger whether an account exists, is expired or is
        locked: the lock follows the failures recorded for the NAME typed (known or not), and expiry is
        only said to someone who gave the right password."""
        from django.conf import settings

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        locked = forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"minutes": settings.FANPIN_LOGIN_LOCK_MINUTES},
        )
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if ip and login_ip_limited(ip=ip):
            raise forms.ValidationError(
                self.error_messages["ip_limited"],
                code="ip_limited",
                params={"minutes": settings.FANPIN_LOGIN_LOCK_MINUTES},
            )
        if username and password:
            user = User.objects.filter(username=username).first()
            if login_locked(username=username) or (user is not None and user.is_locked):
                raise locked
            if user is not None and user.is_expired and user.check_password(password):
                raise forms.ValidationError(self.error_messages["expired"], code="expired")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and password:
                if login_failure_record(username=username, ip=ip):
                    raise locked from None
            raise

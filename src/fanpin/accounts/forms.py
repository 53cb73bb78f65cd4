from django import forms
from django.contrib.auth.forms import AuthenticationForm

from fanpin.accounts.models import User
from fanpin.accounts.services.login import login_failure_record


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。连续多次失败后账号将被暂时锁定。",
        "inactive": "该账号已停用。",
        "locked": "该账号因多次登录失败已被锁定，请 %(minutes)s 分钟后再试，或联系管理员解锁。",
        "expired": "该账号已过有效期，请联系管理员。",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username:
            user = User.objects.filter(username=username).first()
            if user is not None and user.is_locked:
                from django.conf import settings

                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": settings.FANPIN_LOGIN_LOCK_MINUTES},
                )
            if user is not None and user.is_expired:
                raise forms.ValidationError(self.error_messages["expired"], code="expired")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and password:
                ip = self.request.META.get("REMOTE_ADDR") if self.request else None
                if login_failure_record(username=username, ip=ip):
                    from django.conf import settings

                    raise forms.ValidationError(
                        self.error_messages["locked"],
                        code="locked",
                        params={"minutes": settings.FANPIN_LOGIN_LOCK_MINUTES},
                    ) from None
            raise

from django.contrib.auth import logout
from django.contrib import messages
from django.shortcuts import redirect


class ActiveAccountMiddleware:
    """Ends the session of an account that has expired or been locked or disabled meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not user.is_active or user.is_expired or user.is_locked:
                logout(request)
                messages.error(request, "账号已过期、停用或被锁定，请联系管理员。")
                return redirect("accounts:login")
        return self.get_response(request)

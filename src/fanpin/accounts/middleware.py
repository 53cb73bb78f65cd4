from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect


class ActiveAccountMiddleware:
    """Ends the session of an account that has expired or been locked or disabled meanwhile.

    The authentication backend already refuses such accounts when it restores the session's user, so
    `request.user` is then anonymous while the session still names the account: end that session too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            if user.is_authenticated:
                refused = not user.is_active or user.is_expired or user.is_locked
            else:
                refused = SESSION_KEY in getattr(request, "session", {})
            if refused:
                logout(request)
                messages.error(request, "账号已过期、停用或被锁定，请联系管理员。")
                return redirect("accounts:login")
        return self.get_response(request)

"""Security headers every response carries: a strict Content Security Policy (scripts and styles from
our own files only — the templates have no inline scripts, event handlers or style attributes) and a
Permissions-Policy that turns off what the pages never use."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "FANPIN_CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in v for vs in request.GET.lists() for v in vs[1]):
            # A NUL character is never meant; PostgreSQL refuses it in text, so say so before it gets there.
            return HttpResponseBadRequest("请求中含有不允许的字符（NUL），请检查链接或筛选条件。")
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

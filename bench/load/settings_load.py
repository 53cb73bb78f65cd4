"""The production settings (DEBUG off, manifest static files, security headers) for the loopback load
test: plain HTTP on 127.0.0.1, so no HTTPS redirect, no Secure-only cookies and no HSTS; nothing else
changes. Used by bench/load/run.sh (PYTHONPATH=bench/load, DJANGO_SETTINGS_MODULE=settings_load)."""

from fanpin.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

"""Production: PostgreSQL via DATABASE_URL, secrets from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from fanpin.settings import env
from fanpin.settings.base import *  # noqa: F403

if not env.secret_key():
    raise ImproperlyConfigured("请设置环境变量 FANPIN_SECRET_KEY（生产环境必须）。")
SECRET_KEY = env.secret_key()
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

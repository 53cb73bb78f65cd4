"""Settings shared by every environment. Values that vary come from settings.env."""

from __future__ import annotations

import dj_database_url

from fanpin.settings import env

BASE_DIR = env.PACKAGE_DIR
FANPIN_HOME = env.home()

SECRET_KEY = env.secret_key() or "fanpin-insecure-development-key-change-me"
DEBUG = env.debug()
ALLOWED_HOSTS = env.allowed_hosts() or ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "fanpin.core",
    "fanpin.divisions",
    "fanpin.accounts",
    "fanpin.registry",
    "fanpin.monitoring",
    "fanpin.casework",
    "fanpin.assistance",
    "fanpin.reports",
    "fanpin.ledgers",
    "fanpin.quality",
    "fanpin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fanpin.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fanpin.accounts.middleware.ActiveAccountMiddleware",
]

ROOT_URLCONF = "fanpin.urls"
WSGI_APPLICATION = "fanpin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanpin.core.context_processors.navigation",
            ],
        },
    }
]


def _database() -> dict:
    url = env.database_url()
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
        return config
    FANPIN_HOME.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": FANPIN_HOME / "fanpin.sqlite3",
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
            ),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["fanpin.accounts.backends.AreaUserBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fanpin.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after repeated failed logins (accounts.services.login_attempts).
FANPIN_LOGIN_MAX_FAILURES = 5
FANPIN_LOGIN_LOCK_MINUTES = 15
# Failed logins from one IP address (any names) within the lock window before that address is refused.
FANPIN_LOGIN_MAX_FAILURES_PER_IP = 30

# Session timeout: idle sessions end after this many minutes.
SESSION_COOKIE_AGE = env.session_minutes() * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.static_root()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; collectstatic fills it
_NODE = env.node_modules()
STATICFILES_DIRS = [
    BASE_DIR / "static",  # fanpin/app.css, fanpin/app.js: src/fanpin is not an app, so no finder looks here
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = FANPIN_HOME / "media"
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "fanpin.api.authentication.AreaTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fanpin.api.errors.exception_handler",
    # Rate limits per signed-in user (the API needs a login, so anonymous requests never reach a view).
    # The counters live in the cache (per process with the default local-memory cache).
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.api_rate()},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fanpin API — 防止返贫动态监测和帮扶",
    "DESCRIPTION": "所有接口只返回当前用户所辖行政区划内的数据。认证：会话或令牌（Authorization: Token …）。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name per choice set that several apps share a field name for (kind, status, level, …).
    "ENUM_NAME_OVERRIDES": {
        "MeasureCategoryEnum": "fanpin.assistance.choices.MeasureCategory",
        "MonitoringCategoryEnum": "fanpin.registry.choices.Category",
        "CaseKindEnum": "fanpin.casework.choices.CaseKind",
        "CaseStatusEnum": "fanpin.casework.choices.CaseStatus",
        "CaseChannelEnum": "fanpin.casework.choices.Channel",
        "CaseDocumentKindEnum": "fanpin.casework.choices.DocumentKind",
        "LeadSourceEnum": "fanpin.monitoring.choices.LeadSource",
        "RunStatusEnum": "fanpin.monitoring.choices.RunStatus",
        "DivisionLevelEnum": "fanpin.divisions.choices.Level",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"fanpin": {"level": "INFO"}},
}

# Demo and job runner
FANPIN_JOB_POLL_SECONDS = 1.0

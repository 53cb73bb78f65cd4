from fanpin.settings.base import *  # noqa: F403
from fanpin.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Tests get their own database; keep the same pragmas (WAL is ignored for in-memory).
    DATABASES["default"]["TEST"] = {"NAME": None}

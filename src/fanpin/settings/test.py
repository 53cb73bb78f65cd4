from fanpin.settings.base import *  # noqa: F403
from fanpin.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Tests get their own database; keep the same pragmas (WAL is ignored for in-memory).
    DATABASES["default"]["TEST"] = {"NAME": None}

# The API rate limit is tested on its own (accounts/tests/test_limits.py); ordinary tests reuse user ids
# after each rollback, so counters would add up across tests.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1000000/min"}}  # noqa: F405

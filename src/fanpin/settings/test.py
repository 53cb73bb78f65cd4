import os

from fanpin.settings.base import *  # noqa: F403
from fanpin.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Tests get their own database; keep the same pragmas (WAL is ignored for in-memory).
    DATABASES["default"]["TEST"] = {"NAME": None}

# The API rate limit is tested on its own (accounts/tests/test_limits.py); ordinary tests reuse user ids
# after each rollback, so counters would add up across tests.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1000000/min"}}  # noqa: F405

# Parallel test runs (pytest-xdist): each worker gets its own data directory, so files named after
# database ids (exports/export-<job id>.xlsx) in one worker's database never meet another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    FANPIN_HOME = FANPIN_HOME / _worker  # noqa: F405
    FANPIN_HOME.mkdir(parents=True, exist_ok=True)
    MEDIA_ROOT = FANPIN_HOME / "media"

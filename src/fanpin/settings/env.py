"""The only module that reads os.environ. Everything configurable is named here."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _project_root() -> Path:
    # src/fanpin/settings/env.py -> project root (where package.json and node_modules live)
    return PACKAGE_DIR.parent.parent


def home() -> Path:
    """Data directory: FANPIN_HOME or ./var (relative to the working directory)."""
    value = os.environ.get("FANPIN_HOME")
    path = Path(value) if value else Path.cwd() / "var"
    return path.resolve()


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def secret_key() -> str | None:
    return os.environ.get("FANPIN_SECRET_KEY") or None


def debug() -> bool:
    return os.environ.get("FANPIN_DEBUG", "").lower() in {"1", "true", "yes"}


def allowed_hosts() -> list[str]:
    value = os.environ.get("FANPIN_ALLOWED_HOSTS", "")
    return [h.strip() for h in value.split(",") if h.strip()]


def node_modules() -> Path:
    value = os.environ.get("FANPIN_NODE_MODULES")
    if value:
        return Path(value).resolve()
    for candidate in (_project_root() / "node_modules", Path.cwd() / "node_modules"):
        if candidate.is_dir():
            return candidate
    return _project_root() / "node_modules"


def static_root() -> Path:
    value = os.environ.get("FANPIN_STATIC_ROOT")
    return Path(value).resolve() if value else home() / "static"


def session_minutes() -> int:
    return int(os.environ.get("FANPIN_SESSION_MINUTES", "30"))


def spark_master() -> str:
    """Spark master URL for the Spark engine: a cluster in production, local mode by default."""
    return os.environ.get("FANPIN_SPARK_MASTER", "local[2]")


def api_rate() -> str:
    """API requests a signed-in user may make (DRF rate syntax, e.g. "600/min")."""
    return os.environ.get("FANPIN_API_RATE", "600/min")


def key_file() -> Path:
    """Encryption key file: FANPIN_KEY_FILE or $FANPIN_HOME/keys/data-keys (see core/crypto.py)."""
    value = os.environ.get("FANPIN_KEY_FILE")
    return Path(value).resolve() if value else home() / "keys" / "data-keys"


def data_keys() -> str:
    """FANPIN_DATA_KEYS="kid:base64,kid2:base64" (first = primary); overrides the key file."""
    return os.environ.get("FANPIN_DATA_KEYS", "")


def index_key() -> str:
    """FANPIN_INDEX_KEY="kid:base64": the blind-index key, needed with FANPIN_DATA_KEYS."""
    return os.environ.get("FANPIN_INDEX_KEY", "")


def cipher() -> str:
    """FANPIN_CIPHER=aes-gcm (default) or sm4: the algorithm for newly encrypted values."""
    return os.environ.get("FANPIN_CIPHER", "aes-gcm")

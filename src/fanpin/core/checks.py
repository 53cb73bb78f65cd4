"""Deployment check: the encryption keys must load (core/crypto.py). `check --deploy` reports it; `fanpin
serve` and the WSGI application (gunicorn) refuse to start without keys (cli.py, wsgi.py), rather than
write personal data in plain text. A deploy-only check, so that build steps (collectstatic, check)
work on a machine that has no keys yet."""

from __future__ import annotations

from django.core import checks


@checks.register("fanpin", deploy=True)
def encryption_keys(app_configs=None, **kwargs):
    from fanpin.core import crypto

    try:
        crypto.check_keys()
    except crypto.CryptoKeyError as exc:
        return [checks.Error(str(exc), hint="见 docs/security.md", id="fanpin.E001")]
    return []

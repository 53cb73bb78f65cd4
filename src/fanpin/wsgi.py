import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
application = get_wsgi_application()

# No keys, no service: never write personal data in plain text (core/crypto.py, docs/security.md).
from fanpin.core.crypto import check_keys  # noqa: E402

check_keys()

"""WSGI entry point of the stand-in identity provider's own server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.deploy.identity_provider.settings")

application = get_wsgi_application()

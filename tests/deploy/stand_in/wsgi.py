"""WSGI entry point of the stand-in's own server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.deploy.stand_in.settings")

application = get_wsgi_application()

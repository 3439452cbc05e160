"""The test suite: like the demo, with fast password hashing and a fixed issuer."""

from portal.settings.dev import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
LTI_KEY_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU="]
LTI_ISSUER = "http://testserver"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "CRITICAL"  # noqa: F405
# The suite creates, migrates and drops its PostgreSQL database as a command does: without the
# app servers' statement timeout (the fault tests' gunicorn servers keep it, with production's
# settings).
DATABASES["default"]["OPTIONS"].pop("options", None)  # noqa: F405

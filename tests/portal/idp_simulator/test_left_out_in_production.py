"""Production leaves the stand-in identity provider out, and sends the eduID sign-in's cookie
as the identity provider's cross-site POST needs it: SameSite=None, Secure (decision 23)."""

from tests.portal.test_production import manage, production_env

CHECK = """
from django.conf import settings
from django.urls import Resolver404, resolve

assert not getattr(settings, "EDUID_SIMULATOR", False)
assert settings.SAML_SESSION_COOKIE_SAMESITE == "None" and settings.SESSION_COOKIE_SECURE
assert not settings.SAML_ALLOW_UNSIGNED_METADATA and not settings.SAML_GENERATE_KEYS
assert resolve("/saml/acs/")
try:
    resolve("/idp-sim/sso/")
except Resolver404:
    print("left out")
"""


def test_production_serves_no_stand_in_identity_provider(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/portal.sqlite3")
    checked = manage("shell", "--no-imports", "-c", CHECK, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "left out"

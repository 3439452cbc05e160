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


def test_the_deployment_check_refuses_an_incomplete_eduid_configuration(tmp_path):
    """eduID switched on without its key pair and with unsigned metadata from a URL: caught by
    `check --deploy`, before the first sign-in (portal/eduid/checks.py)."""
    env = production_env(
        SAML_IDP_METADATA="https://metadata.eduid.hu/current/href.xml",
        SAML_KEY_FILE=str(tmp_path / "missing-key.pem"),
    )
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    for error in ("portal.E102", "portal.E103"):
        assert error in result.stderr, result.stderr


def test_the_deployment_check_accepts_a_complete_eduid_configuration(tmp_path):
    from core.key_pairs import ensure_key_folder

    key_file, cert_file = ensure_key_folder(tmp_path / "sp", common_name="neptun.example.edu")
    env = production_env(
        SAML_IDP_METADATA="https://metadata.eduid.hu/current/href.xml",
        SAML_IDP_METADATA_CERT=str(cert_file),  # any PEM file stands for the operator's here
        SAML_KEY_FILE=str(key_file),
        SAML_CERT_FILE=str(cert_file),
    )
    result = manage("check", "--deploy", env=env)
    assert result.returncode == 0, result.stderr

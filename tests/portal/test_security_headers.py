"""The browser's side of the hardening (docs/security.md): a Content Security Policy without
inline script or style, no framing by anyone, and production cookies that are Secure and
HttpOnly with HSTS."""

import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_forbid_inline_script_and_style_and_any_framing(client):
    client.force_login(UserFactory())
    for path in ["/sign-in/", "/", "/.well-known/jwks.json", "/no-such-page/"]:
        response = client.get(path)
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["default-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert "unsafe" not in response["Content-Security-Policy"], path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path


def test_cookies_are_http_only_and_same_site_everywhere():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.LANGUAGE_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.LANGUAGE_COOKIE_SAMESITE == "Lax"


PRODUCTION_VALUES = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "DEBUG",
    "TRUSTED_PROXY_HOPS",
)


def test_production_cookies_are_secure_and_https_is_enforced_with_hsts():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "ALLOWED_HOSTS": "neptun.example.edu",
        "LTI_ISSUER": "https://neptun.example.edu",
        "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgres://neptun:secret@db.example.edu:5432/neptun",
        "CACHE_URL": "redis://cache.example.edu:6379/0",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {PRODUCTION_VALUES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "DEBUG": False,
        "TRUSTED_PROXY_HOPS": 1,  # the proxy that terminates HTTPS appends the client's address
    }


def test_every_answer_denies_the_browser_features_the_portal_does_not_use(client, settings):
    """Issue 20 finding 6: no Permissions-Policy header. Every answer carries one — pages,
    error pages, the protocol's endpoints, the health checks, the static files."""
    client.force_login(UserFactory())
    for path in [
        "/sign-in/",
        "/",
        "/no-such-page/",
        "/.well-known/jwks.json",
        "/lti/authorize/",
        "/healthz",
        "/static/portal/portal.css",
    ]:
        response = client.get(path)
        response.close()  # the static file's
        denied = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen"):
            assert denied.pop(feature) == "()", (path, feature)
        assert set(denied.values()) == {"()"}, path  # nothing else allowed either

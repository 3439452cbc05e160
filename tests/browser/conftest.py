"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API against
pytest-django's live server. Shared by every browser test:

- `browser`: one Chromium for all the browser tests;
- `context` / `page`: a fresh profile per test, Hungarian like a student's browser here, with
  the live server as base URL (so `page.goto("/sign-in/")` works);
- `sign_in(page, username, password)`: through the sign-in form, as a person does;
- `log_in(user)`: a session cookie without the form, for tests about other things;
- `new_context(user)`: another profile, for tests where two people look at once;
- `sites`: the portal (the live server as 127.0.0.1) and the Panopto stand-in on another site
  (localhost, the same port), registered with each other as `make demo` does.

`make test` installs Chromium (the `browsers` target). Playwright's own browser download is not
used.
"""

import io
import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from panopto_link.simulator.demo import connect_stand_in, stand_in_origin_for
from tests.factories import LicenceFactory, RegistrationFactory

# Playwright's sync API runs an event loop in the test's thread; the ORM calls made by the test
# itself (factories, assertions) are synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Turns off the "Lax + POST" two-minute grace for cookies without a SameSite attribute, so
    # only cookies that are really SameSite=None reach a cross-site form post (see
    # ../shared/notes/browsers.md); the cross-site launch tests rely on it.
    "--enable-features=SameSiteDefaultChecksMethodRigorously",
]
FACTORY_PASSWORD = "secret-pass-1"  # tests.factories.UserFactory's
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


# Package scope: Chromium and Playwright's event loop stop when the browser tests are done, so
# the rest of the suite runs without a loop in its thread.
@pytest.fixture(scope="package")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed at {CHROMIUM}: `make test` installs Debian's package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def session_cookie(user, url: str) -> dict:
    """A signed-in session for `user`, as a cookie for the browser at `url`."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": url}


@pytest.fixture
def new_context(browser, live_server):
    """`new_context(user=None)`: another browser profile (closed after the test), signed in as
    `user` when given; for tests where two people look at once."""
    contexts = []

    def new_context(user=None, **options):
        options = {"locale": "hu-HU", "viewport": DESKTOP, "reduced_motion": "reduce", **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(5_000)
        if user is not None:
            context.add_cookies([session_cookie(user, live_server.url)])
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def sign_in():
    """`sign_in(page, username, password=...)`: through the form, as a person does (the
    factories' password is the default); waits until the portal has let the user in."""

    def sign_in(page, username: str, password: str = FACTORY_PASSWORD) -> None:
        page.goto("/sign-in/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)

    return sign_in


@pytest.fixture
def log_in(context, live_server):
    """`log_in(user)`: the `context` browser signed in as `user`, without the form."""

    def log_in(user) -> None:
        context.add_cookies([session_cookie(user, live_server.url)])

    return log_in


class Sites:
    def __init__(self, live_server_url: str) -> None:
        self.portal = live_server_url.rstrip("/")
        self.stand_in = stand_in_origin_for(self.portal)
        assert urlsplit(self.portal).hostname != urlsplit(self.stand_in).hostname


@pytest.fixture
def sites(live_server, settings) -> Sites:
    """A licence, a registration, and the stand-in connected on the other site: cookies behave
    as they do between a real portal and Panopto."""
    sites = Sites(live_server.url)
    settings.LTI_ISSUER = sites.portal  # the live server thread reads the same settings
    LicenceFactory()
    RegistrationFactory()
    connect_stand_in(portal_url=sites.portal, stand_in_origin=sites.stand_in, stdout=io.StringIO())
    return sites

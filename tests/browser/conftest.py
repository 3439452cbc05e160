"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API, against
pytest-django's live server. See ../shared/notes/browsers.md for why the flags matter."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the Django calls the tests make
# beside it (creating rows, reading them back) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Turns off the "Lax + POST" two-minute grace for cookies without a SameSite attribute, so
    # only cookies that are really SameSite=None reach a cross-site form post.
    "--enable-features=SameSiteDefaultChecksMethodRigorously",
]
PASSWORD = "secret-pass-1"  # tests.factories.UserFactory's


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser) -> Iterator[Callable]:
    """A fresh browser profile per person (its own cookies), in English, closed afterwards."""
    contexts = []

    def make(**options):
        context = browser.new_context(locale="en-GB", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the portal's sign-in page, as a person does."""
    page.goto(base_url + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)

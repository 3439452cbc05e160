"""Sign-in with eduID in the HTTPS production shape (issue 26): Chromium goes from the portal
(nginx in front of two gunicorn servers, production settings) to the stand-in identity
provider on a host name and site of its own, and its signed answer is posted back across
sites. The portal trusts the identity provider only through the federation's metadata, fetched
by `manage.py eduid_metadata` and checked with the operator's certificate (conftest), and its
`saml_session` cookie must be SameSite=None; Secure for the cross-site post to carry it."""

import psycopg
import pytest

from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STUDENT
from tests.browser.conftest import DESKTOP
from tests.deploy.conftest import Deployment
from tests.deploy.test_https_walkthrough import Observed, chromium  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_the_demo_student_signs_in_with_eduid_over_https(deployment: Deployment, chromium):  # noqa: F811
    portal, idp = deployment.portal, deployment.idp
    context = chromium.new_context(locale="hu-HU", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    seen = Observed(context)
    page = context.new_page()

    page.goto(portal + "/studies/information/")
    assert page.url.startswith(portal + "/sign-in/")
    page.get_by_role("link", name="Belépés eduID-val").click()
    page.wait_for_url(lambda url: url.startswith(idp + "/idp-sim/sso/"))
    # The portal's cookie naming the outstanding request, set before the cross-site answer.
    saml_cookie = next(c for c in context.cookies(portal) if c["name"] == "saml_session")
    assert saml_cookie["sameSite"] == "None" and saml_cookie["secure"], saml_cookie
    assert saml_cookie["httpOnly"], saml_cookie

    page.fill("#idp-username", DEMO_STUDENT)
    page.fill("#idp-password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    # The stand-in's page posts the signed answer to the portal's assertion consumer service,
    # which signs her in and sends her to the page she asked for.
    page.wait_for_url(portal + "/studies/information/")
    assert "Hanna" in page.locator("body").inner_text()

    # Bound by the Neptun code to her existing account, not a new one.
    assert identities(deployment) == [
        (DEMO_STUDENT, idp + "/idp-sim/metadata/", f"{DEMO_STUDENT}@demo.neptun-egyetem.hu")
    ]
    # Everything went over HTTPS, to the three sites only; no policy was violated.
    assert all(url.startswith(("https://", "data:")) for url in seen.requests), seen.requests
    assert not seen.console_mentioning("Content Security Policy"), seen.console
    posted = [r for r in seen.responses if r.url == portal + "/saml/acs/"]
    assert posted and posted[0].request.method == "POST" and posted[0].status == 302
    context.close()


def identities(deployment: Deployment) -> list[tuple[str, str, str]]:
    """The eduID identities bound to accounts, read with a connection of its own, closed at
    once (not the ORM's: see tests/deploy/conftest.py)."""
    url = deployment.portal_env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT u.username, e.issuer, e.subject FROM portal_externalidentity e "
            "JOIN portal_user u ON u.id = e.user_id"
        ).fetchall()
    return [tuple(row) for row in rows]

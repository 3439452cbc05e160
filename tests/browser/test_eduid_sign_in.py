"""Sign-in with eduID in real Chromium, in the demo's shape: the sign-in page's *Belépés
eduID-val*, the stand-in identity provider's form under /idp-sim/ (on the portal's site, as in
the demo), its signed answer auto-posted back to the portal, which fetched the stand-in's
metadata through core.outbound and the stand-in the portal's: the demo student lands on the
page she asked for, in her own account, without a single policy violation."""

import pytest

from portal.eduid import config
from portal.models import ExternalIdentity
from tests.browser.test_accessibility import AXE, WCAG_21_A_AA
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eduid_demo(live_server, settings):
    portal = live_server.url.rstrip("/")
    settings.LTI_ISSUER = portal
    settings.SAML_IDP_METADATA = f"{portal}/idp-sim/metadata/"
    settings.EDUID_SIMULATOR_SP_METADATA = f"{portal}/saml/metadata/"
    settings.SAML_NEPTUN_CODE_ATTRIBUTE = "schacPersonalUniqueCode"
    settings.SAML_MATCH_ATTRIBUTE = "neptun_code"
    config.forget_process_copies()
    yield portal
    config.forget_process_copies()


def test_the_demo_student_signs_in_with_eduid_through_the_stand_in(eduid_demo, page):
    student = UserFactory(username="hallgato", neptun_code="HK7Q2D", first_name="Hanna")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.goto("/studies/information/")
    assert "/sign-in/" in page.url
    page.get_by_role("link", name="Belépés eduID-val").click()
    page.wait_for_url("**/idp-sim/sso/**")
    page.fill("#idp-username", "hallgato")
    page.fill("#idp-password", "demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{eduid_demo}/studies/information/")
    assert "Hanna" in page.content()
    assert ExternalIdentity.objects.get().user_id == student.pk
    assert not [p for p in problems if "Content Security Policy" in p], problems
    saml_cookie = next(c for c in page.context.cookies() if c["name"] == "saml_session")
    assert saml_cookie["sameSite"] == "Lax" and saml_cookie["httpOnly"]


def test_the_eduid_sign_in_page_and_the_stand_ins_form_are_accessible(eduid_demo, new_context):
    # bypass_csp for axe's own script only: the pages' policy is checked in the test above.
    page = new_context(bypass_csp=True).new_page()
    page.goto("/sign-in/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Belépés eduID-val").click()
    page.wait_for_url("**/idp-sim/sso/**")
    assert axe_violations(page) == []


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A and AA violations axe-core finds on the page (as test_accessibility does)."""
    page.wait_for_load_state()
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return result.violations.map((v) => `${v.id}: ${v.help}`);
        }""",
        WCAG_21_A_AA,
    )
    assert page.evaluate("document.documentElement.lang") == "hu"
    return found

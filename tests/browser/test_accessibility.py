"""axe-core in real Chromium on every page of the portal, of the Panopto stand-in and of the
admin pages IT administrators use, in Hungarian and English, on a desktop and at 320 px: any
violation of a WCAG 2.1 A or AA rule fails.

The pages are a table (PAGES): each row names the URL it checks, and
`test_every_url_is_a_page_of_the_table_or_said_why_not` compares the table with the URL
configuration, so a new page cannot be left out silently. axe-core comes from npm
(package.json, installed by `make test` with `npm ci`), injected from node_modules/ into each
page; the context bypasses the Content Security Policy for that one script only because axe
cannot be loaded from the page's own origin.

One walk per language and width: a lecturer's first week (opens the folder, picks a video,
sees it linked, is asked before removing it, plays it), a student's, a signed-out visitor's and
an IT administrator's, checking each page as it comes. The auto-submitting pages (the launch's
form post, the picker's answer, the portal's page after it) are held by blocking their script,
as a browser without script shows them, and continued with their button.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import PanoptoLicence
from panopto_link.simulator.demo import connect_stand_in, stand_in_origin_for
from panopto_link.simulator.models import Folder as StandInFolder
from panopto_link.simulator.services import SAMPLE_RECORDINGS
from tests.browser.conftest import DESKTOP
from tests.factories import (
    CourseFactory,
    FolderFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    SpaceFactory,
    UserFactory,
)
from tests.panopto_link.conftest import World
from virtualspaces.models import MembershipRole, SpaceType

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules of axe's best practices held too: no table header left empty (issue 25 item 12: the
# admin's tabular inlines, templates/admin/edit_inline/tabular.html).
BEST_PRACTICES = ["empty-table-header"]
PHONE_320 = {"width": 320, "height": 640}
WIDTHS = {"desktop": DESKTOP, "phone-320": PHONE_320}
LANGUAGES = ["hu", "en"]


@dataclass(frozen=True)
class Page:
    """A page checked: the URL name it is reached by (None for the error page of no URL), and
    who looks at it, in what state (the walks below reach it so)."""

    url_name: str | None
    what: str


# Every page, as the walks reach them. Admin pages: those the issue names (the rest of the
# admin is Django's own, checked by Django).
PAGES = [
    # a signed-out visitor
    Page("portal:sign_in", "the sign-in form"),
    Page(None, "the 404 page"),
    Page("lti_platform:authorize", "the refusal page of an unknown client"),
    Page("panopto_simulator:dashboard", "the stand-in, signed out"),
    Page("portal:accessibility", "the accessibility statement"),
    # a student in the first week
    Page("portal:home", "the home page"),
    Page("portal:studies_information", "Studies → Information"),
    Page("panopto_link:studies_panopto", "the Panopto list: ready, not available and waiting"),
    Page("virtualspaces:space_home", "a course's Home screen before its folder is opened"),
    Page("virtualspaces:public_spaces", "the public spaces"),
    Page("panopto_link:launch", "the launch page of an inactive folder (no script)"),
    # a lecturer in the first week
    Page("virtualspaces:space_home", "the course's Home screen, the picker inactive"),
    Page("lti_platform:authorize", "the launch's form post to Panopto (script held)"),
    Page("panopto_simulator:folder", "the stand-in's folder, as Creator"),
    Page("panopto_simulator:dashboard", "the stand-in's folder list"),
    Page("panopto_simulator:deep_link", "the stand-in's content picker"),
    Page("panopto_simulator:deep_link_answer", "the picker's answer to the portal (script held)"),
    Page("panopto_link:deep_linking_return", "the portal's page after the answer (script held)"),
    Page("virtualspaces:space_home", "the course's Home screen with its videos"),
    Page("panopto_link:remove_video", "removing a video: the question"),
    Page("panopto_simulator:viewer", "a linked video in the stand-in's viewer"),
    # an IT administrator
    Page("admin:index", "the admin's index"),
    Page("admin:lti_platform_launchrecord_changelist", "the launch records"),
    Page("admin:lti_platform_platformkey_changelist", "the signing keys"),
    Page("admin:virtualspaces_virtualspace_change", "a course in the admin"),
    Page("admin:virtualspaces_membership_changelist", "a course's memberships"),
    Page("admin:virtualspaces_membership_import_csv", "the memberships' CSV import"),
    Page("admin:panopto_link_panoptoregistration_self_test", "the self-test, before it runs"),
    Page("admin:panopto_link_panoptofolder_import_existing", "the existing folders' CSV import"),
    Page("admin:panopto_link_accessjob_why", "why a person can (or can't) see a space"),
    Page("admin:panopto_link_panoptofolder_term_overview", "this term's overview"),
    Page("admin:portal_user_change", "a person's page in the admin"),
    Page("admin:panopto_link_panoptolicence_changelist", "the licences"),
    Page("admin:panopto_link_panoptolicence_change", "a licence"),
    Page("admin:panopto_simulator_folder_change", "the stand-in's folder in the admin (inlines)"),
]

# URLs that are no page, and why.
NOT_PAGES = {
    "set_language": "POST: sets the language and goes back",
    "portal:sign_out": "POST: signs out and goes to the sign-in page",
    "panopto_link:pick_videos": "POST: to the tool's login, or the refusal of panopto_link:launch",
    "panopto_link:open_video": "POST: to the tool's login, or the refusal of panopto_link:launch",
    "panopto_link:manage_video": "POST: moves or removes, and goes back to the Home screen",
    "panopto_link:videos_linked": "a redirect to the Home screen, its videos saying what was added",
    "lti_platform:jwks": "JSON",
    "lti_platform:openid_configuration": "JSON",
    "panopto_simulator:login": "a redirect to the platform's authorization",
    "panopto_simulator:launch": "POST: a redirect to a folder or a viewer",
    "panopto_simulator:jwks": "JSON",
    "panopto_simulator:session_management": "SOAP: the WSDL and the PublicAPI calls (XML)",
    "panopto_simulator:user_management": "SOAP: the WSDL and the PublicAPI calls (XML)",
    "panopto_simulator:access_management": "SOAP: the WSDL and the PublicAPI calls (XML)",
    "panopto_simulator:oauth2_token": "OAuth2's token endpoint: JSON for a server",
    "panopto_simulator:rest_folder": "REST API v1: JSON for a server with a Bearer token",
    "panopto_simulator:rest_folder_sessions": "REST API v1: JSON for a server with a Bearer token",
    "panopto_simulator:sign_out": "POST: signs out of the stand-in",
    "admin:lti_platform_platformkey_rotate": "POST: rotates and goes back to the key list",
    "eduid:sign_in": "a redirect to the identity provider (or the federation's discovery "
    "service); with several identity providers and neither configured, a list of links",
    "eduid:acs": "POST: the identity provider's answer; a redirect, or the error page",
    "eduid:metadata": "XML: the service provider's SAML metadata",
    "idp_simulator:metadata": "XML: the stand-in identity provider's SAML metadata",
    "idp_simulator:sso": "the stand-in identity provider's form, with the eduID sign-in page: "
    "axe-checked by tests/browser/test_eduid_sign_in.py (it needs a SAML request to show)",
}


def url_names(patterns, namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            if inner == "admin":
                yield from admin_url_names(pattern)
                continue
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


GENERATED = re.compile(r"_(changelist|add|change|delete|history|autocomplete)$")
DJANGOS_OWN = {"index", "login", "logout", "password_change", "password_change_done",
               "jsi18n", "view_on_site", "app_list", "autocomplete"}  # fmt: skip


def admin_url_names(resolver: URLResolver):
    """The admin URLs the project adds itself (ModelAdmin.get_urls): Django's generated
    changelist/add/change pages are checked where the table names them."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_url_names(pattern)
        elif (
            pattern.name and pattern.name not in DJANGOS_OWN and not GENERATED.search(pattern.name)
        ):
            yield f"admin:{pattern.name}"


def test_every_url_is_a_page_of_the_table_or_said_why_not():
    configured = set(url_names(get_resolver().url_patterns))
    tabled = {page.url_name for page in PAGES if page.url_name}
    assert configured - tabled - set(NOT_PAGES) == set(), "add these pages to PAGES"
    assert set(NOT_PAGES) - configured == set(), "NOT_PAGES names URLs that do not exist"
    portal_tabled = {name for name in tabled if not name.startswith("admin:")}
    assert portal_tabled - configured == set(), "PAGES names URLs that do not exist"
    assert tabled & set(NOT_PAGES) == set()


# --- the walks ---------------------------------------------------------------------------------


class Axe:
    """Runs axe-core on the page at hand and keeps what it found, per page of the table."""

    def __init__(self, language: str, width: str) -> None:
        self.language, self.width = language, width
        self.checked: list[Page] = []
        self.violations: list[str] = []

    def check(self, page, url_name: str | None, what: str) -> None:
        expected = Page(url_name, what)
        assert expected in PAGES, expected
        page.wait_for_load_state()
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            """async ([tags, rules]) => {
                const violations = [];
                const runs = [{type: "tag", values: tags}, {type: "rule", values: rules}];
                for (const runOnly of runs) {
                    const result = await axe.run(document, {runOnly, resultTypes: ["violations"]});
                    violations.push(...result.violations);
                }
                return violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
                }));
            }""",
            [WCAG_21_A_AA, BEST_PRACTICES],
        )
        assert page.evaluate("document.documentElement.lang") == self.language, (what, page.url)
        if self.width == "phone-320":
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_320["width"] and not (url_name or "").startswith("admin:"):
                self.violations.append(f"{what} ({page.url}): scrolls sideways, {width} px wide")
        for violation in found:
            self.violations.append(
                f"{what} ({page.url}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']} – {violation['nodes']}"
            )
        self.checked.append(expected)


@pytest.fixture
def first_week(live_server, settings):
    """The demo's first week: a licensed, configured portal with the stand-in connected, a
    course with its subject, a waiting folder, a folder switched off, an IT administrator."""
    portal = live_server.url.rstrip("/")
    stand_in = stand_in_origin_for(portal)
    settings.LTI_ISSUER = portal  # the live server thread reads the same settings
    LicenceFactory()
    RegistrationFactory()
    connect_stand_in(portal_url=portal, stand_in_origin=stand_in, stdout=io.StringIO())
    world = World()
    world.create_context(world.subject)
    waiting = CourseFactory(name="Lineáris algebra – előadás", code="MAT102-EA")
    off = SpaceFactory(name="Egyetemi kórus", code="KORUS", space_type=SpaceType.OTHER)
    FolderFactory(space=off, is_enabled=False)
    for space in (waiting, off):
        MembershipFactory(user=world.member, space=space)
    MembershipFactory(user=world.admin, space=waiting, role=MembershipRole.ADMINISTRATOR)
    world.it_admin = UserFactory(username="ITADMIN", is_staff=True, is_superuser=True)
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.REFUSED, reason="hint_replayed"
    )
    world.portal, world.stand_in = portal, stand_in
    return world


def hold_auto_submits(context) -> None:
    """The auto-submitting pages stay, as without script, until their button is clicked."""
    context.route(re.compile(r".*/autosubmit\.js$"), lambda route: route.abort())


def submit(page, url_part: str) -> None:
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(url_part))


def walk_lecturer(axe: Axe, page, world) -> None:
    course = world.course
    page.goto(f"/spaces/{course.pk}/")
    axe.check(page, "virtualspaces:space_home", "the course's Home screen, the picker inactive")
    page.locator(f'form[action="/panopto/launch/{course.pk}/"] button').first.click()
    page.wait_for_url(re.compile("/lti/authorize/"))
    axe.check(page, "lti_platform:authorize", "the launch's form post to Panopto (script held)")
    submit(page, "/panopto-sim/folders/")
    axe.check(page, "panopto_simulator:folder", "the stand-in's folder, as Creator")
    page.goto(world.stand_in + "/panopto-sim/")
    axe.check(page, "panopto_simulator:dashboard", "the stand-in's folder list")

    page.goto(f"{world.portal}/spaces/{course.pk}/")
    page.locator(f'form[action="/panopto/videos/{course.pk}/pick/"] button').click()
    page.wait_for_url(re.compile("/lti/authorize/"))
    submit(page, "/panopto-sim/deep-link/")
    axe.check(page, "panopto_simulator:deep_link", "the stand-in's content picker")
    page.get_by_label(SAMPLE_RECORDINGS[0][0]).check()
    page.locator("button[name=action][value=add]").click()
    page.wait_for_url(re.compile("/panopto-sim/deep-link/answer/"))
    axe.check(
        page,
        "panopto_simulator:deep_link_answer",
        "the picker's answer to the portal (script held)",
    )
    submit(page, "/lti/deep-linking/return/")
    axe.check(
        page,
        "panopto_link:deep_linking_return",
        "the portal's page after the answer (script held)",
    )
    submit(page, r"/spaces/\d+/#videos$")  # through panopto_link:videos_linked
    axe.check(page, "virtualspaces:space_home", "the course's Home screen with its videos")
    page.locator("#videos a[href$='/remove/']").first.click()
    page.wait_for_url(re.compile("/remove/"))
    axe.check(page, "panopto_link:remove_video", "removing a video: the question")
    page.goto(f"/spaces/{course.pk}/")
    page.locator("#videos form[action$='/open/'] button").first.click()
    page.wait_for_url(re.compile("/lti/authorize/"))
    submit(page, "/panopto-sim/viewer/")
    axe.check(page, "panopto_simulator:viewer", "a linked video in the stand-in's viewer")


def walk_student(axe: Axe, page, world) -> None:
    page.goto("/")
    axe.check(page, "portal:home", "the home page")
    page.goto("/studies/information/")
    axe.check(page, "portal:studies_information", "Studies → Information")
    page.goto("/studies/information/panopto/?semester=all")
    page.locator("details.waiting summary").click()  # the waiting folders, opened
    axe.check(
        page, "panopto_link:studies_panopto", "the Panopto list: ready, not available and waiting"
    )
    page.goto(f"/spaces/{world.course.pk}/?from=panopto")
    axe.check(
        page, "virtualspaces:space_home", "a course's Home screen before its folder is opened"
    )
    page.goto("/spaces/public/")
    axe.check(page, "virtualspaces:public_spaces", "the public spaces")
    page.goto(f"/panopto/launch/{world.course.pk}/")
    axe.check(page, "panopto_link:launch", "the launch page of an inactive folder (no script)")


def walk_signed_out(axe: Axe, page, world) -> None:
    page.goto("/sign-in/")
    axe.check(page, "portal:sign_in", "the sign-in form")
    page.goto("/no-such-page/")
    axe.check(page, None, "the 404 page")
    page.goto("/lti/authorize/?client_id=nobody&redirect_uri=https://x.example/")
    axe.check(page, "lti_platform:authorize", "the refusal page of an unknown client")
    page.goto(world.stand_in + "/panopto-sim/")
    axe.check(page, "panopto_simulator:dashboard", "the stand-in, signed out")
    page.goto(f"{world.portal}/sign-in/")
    page.get_by_role("contentinfo").get_by_role("link").click()  # the footer's link
    page.wait_for_url(re.compile("/accessibility/$"))
    axe.check(page, "portal:accessibility", "the accessibility statement")


def walk_it_admin(axe: Axe, page, world) -> None:
    for path, name, what in [
        ("/admin/", "admin:index", "the admin's index"),
        (
            "/admin/lti_platform/launchrecord/",
            "admin:lti_platform_launchrecord_changelist",
            "the launch records",
        ),
        (
            "/admin/lti_platform/platformkey/",
            "admin:lti_platform_platformkey_changelist",
            "the signing keys",
        ),
        (
            f"/admin/virtualspaces/virtualspace/{world.course.pk}/change/",
            "admin:virtualspaces_virtualspace_change",
            "a course in the admin",
        ),
        (
            f"/admin/virtualspaces/membership/?space__id__exact={world.course.pk}",
            "admin:virtualspaces_membership_changelist",
            "a course's memberships",
        ),
        (
            "/admin/virtualspaces/membership/import-csv/",
            "admin:virtualspaces_membership_import_csv",
            "the memberships' CSV import",
        ),
        (
            "/admin/panopto_link/panoptoregistration/self-test/",
            "admin:panopto_link_panoptoregistration_self_test",
            "the self-test, before it runs",
        ),
        (
            "/admin/panopto_link/panoptofolder/import-existing/",
            "admin:panopto_link_panoptofolder_import_existing",
            "the existing folders' CSV import",
        ),
        (
            f"/admin/panopto_link/accessjob/why/?person={world.member.get_username()}"
            f"&space={world.course.code}",
            "admin:panopto_link_accessjob_why",
            "why a person can (or can't) see a space",
        ),
        (
            "/admin/panopto_link/panoptofolder/term-overview/",
            "admin:panopto_link_panoptofolder_term_overview",
            "this term's overview",
        ),
        (
            f"/admin/portal/user/{world.member.pk}/change/",
            "admin:portal_user_change",
            "a person's page in the admin",
        ),
        (
            "/admin/panopto_link/panoptolicence/",
            "admin:panopto_link_panoptolicence_changelist",
            "the licences",
        ),
        (
            f"/admin/panopto_link/panoptolicence/{PanoptoLicence.objects.get().pk}/change/",
            "admin:panopto_link_panoptolicence_change",
            "a licence",
        ),
        (
            # The course's folder in the stand-in, which the lecturer's walk opened: its two
            # tabular inlines (who may enter, the recordings) are wider than 320 px.
            "/admin/panopto_simulator/folder/"
            f"{StandInFolder.objects.get(context_id=world.folder().context_id).pk}/change/",
            "admin:panopto_simulator_folder_change",
            "the stand-in's folder in the admin (inlines)",
        ),
    ]:
        page.goto(path)
        axe.check(page, name, what)
    if axe.width == "desktop":
        # The launch records fit a 1280 px screen: user, space and role are not cut off.
        page.goto("/admin/lti_platform/launchrecord/")
        table = page.locator("#result_list")
        box = table.bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], box


WALKS: list[tuple[str, Callable]] = [
    ("signed out", walk_signed_out),
    ("student", walk_student),
    ("lecturer", walk_lecturer),
    ("it admin", walk_it_admin),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_violates_wcag_21_a_or_aa(new_context, first_week, language, width):
    assert AXE.exists(), "axe-core is missing: `make test` installs it (npm ci)"
    axe = Axe(language, width)
    users = {
        "signed out": None,
        "student": first_week.member,
        "lecturer": first_week.admin,
        "it admin": first_week.it_admin,
    }
    for who, walk in WALKS:
        context = new_context(
            users[who],
            locale={"hu": "hu-HU", "en": "en-GB"}[language],
            viewport=WIDTHS[width],
            bypass_csp=True,  # for axe's script only: the pages' own policy is tested elsewhere
        )
        context.add_cookies(
            [
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin}
                for origin in (first_week.portal, first_week.stand_in)
            ]
        )
        hold_auto_submits(context)
        walk(axe, context.new_page(), first_week)
        context.close()
    assert axe.violations == [], "\n".join(axe.violations)
    assert set(axe.checked) == set(PAGES), set(PAGES) - set(axe.checked)

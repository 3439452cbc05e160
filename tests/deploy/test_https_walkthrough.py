"""The README's walkthrough over HTTPS, in production shape (tests/deploy/conftest.py): nginx
terminating TLS for `portal.test` and `panopto.test`, two gunicorn servers with the production
settings behind one upstream, the Panopto stand-in as a separate party, and Chromium trusting
the test's certificate authority through its own certificate store (no
--ignore-certificate-errors), with the "Lax + POST" grace off.

The student is refused before the lecturer's first click, the lecturer creates the folder as
Creator, the student enters as Viewer, the lecturer links two videos through the picker and the
student plays one. Then what the browser saw: every cookie `Secure`, the session cookie
`HttpOnly`, the stand-in's cross-site cookies `SameSite=None`, plain http redirected once to
https, HSTS, no mixed content, no Content Security Policy violation; and what the servers saw:
both app servers used, request ids from nginx in their log lines, static files from nginx, the
health checks answered on the app port over plain http and never logged; and the metrics as
Prometheus sees them: each app server scraped on its own port, two workers each, the sums equal
to the launch records, nothing of it logged — and refused by nginx to the browser.

It fails when the session cookie loses `Secure`, when the stand-in's cookies lose
`SameSite=None`, and when nginx stops sending `X-Forwarded-Proto`."""

import json
import os
import re
import subprocess
import time
from collections import Counter
from contextlib import contextmanager

import psycopg
import pytest

from panopto_link.simulator.services import SAMPLE_RECORDINGS
from portal.management.commands.seed_demo import DEMO_LECTURER, DEMO_PASSWORD, DEMO_STUDENT
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.deploy.conftest import (
    IDP_HOST,
    PORTAL_HOST,
    STAND_IN_HOST,
    WALKTHROUGH_TIMINGS,
    Deployment,
)
from tests.deploy.servers import manage, unit_command
from tests.metrics import parsed
from tests.robustness_report import REPORT

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ONE_YEAR = 31536000


@pytest.fixture
def chromium(deployment: Deployment):
    """Debian's Chromium resolving the portal's, the stand-in's and the identity provider's
    host names to 127.0.0.1 and trusting the test's CA (an NSS database in a temporary HOME,
    where Chromium on Linux keeps its certificates)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed at {CHROMIUM}: `make test` installs Debian's package.")
    from playwright.sync_api import sync_playwright

    home = deployment.ca.trusting_home(deployment.root / "browser-home")
    rules = ", ".join(f"MAP {host} 127.0.0.1" for host in (PORTAL_HOST, STAND_IN_HOST, IDP_HOST))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
            env={**os.environ, "HOME": str(home)},
        )
        yield browser
        browser.close()


class Observed:
    """What one browser profile saw: every request, response and console message."""

    def __init__(self, context) -> None:
        self.requests: list[str] = []
        self.responses: list = []
        self.console: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", lambda response: self.responses.append(response))
        context.on("page", lambda page: page.on("console", self._console))

    def _console(self, message) -> None:
        self.console.append(message.text)

    def console_mentioning(self, text: str) -> list[str]:
        return [line for line in self.console if text.lower() in line.lower()]


@contextmanager
def step(timings: dict[str, float], name: str):
    started = time.monotonic()
    yield
    timings[name] = round(time.monotonic() - started, 2)


def sign_in(page, portal: str, username: str) -> None:
    page.goto(portal + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def sign_out(page, portal: str) -> None:
    page.goto(portal + "/")
    page.locator('form[action="/sign-out/"] button[type=submit]').click()
    page.wait_for_url(lambda url: "/sign-in/" in url)


def button(page, action: str):
    """A portal button found by its form's action: the same in Hungarian and English."""
    return page.locator(f'form[action="{action}"] button[type=submit]').first


def arrive_at_stand_in(page, stand_in: str, path: str) -> None:
    """Wait for the stand-in's page and check it is the one expected: a refused launch stays
    on the stand-in's launch URL with its reason ("State not found" when a cookie that the
    cross-site form post needed did not come back)."""
    page.wait_for_url(lambda url: url.startswith(stand_in))
    page.wait_for_load_state()
    assert page.url.startswith(stand_in + path), (
        f"the stand-in answered at {page.url}: {page.locator('body').inner_text()[:600]}"
    )


def readiness(server) -> tuple[int, dict]:
    response = server.get("/readyz")
    return response.status_code, response.json()


def assert_health_checks_on_the_app_port(deployment: Deployment) -> None:
    """A load balancer's probes: plain http straight to each app server, its address as Host
    (not in ALLOWED_HOSTS), answered without a redirect and without a 400."""
    for server in deployment.portal_servers:
        assert server.get("/healthz").status_code == 200, server.get("/healthz").text
        assert readiness(server) == (200, {"status": "ready"})
        # Any other path is refused for its Host, as production must refuse it.
        assert server.get("/sign-in/").status_code == 400


def test_readme_walkthrough_over_https(deployment: Deployment, chromium):
    timings = deployment.timings
    portal, stand_in = deployment.portal, deployment.stand_in
    server_a = deployment.portal_servers[0]

    # A database without a signing key (pytest-django's, whose keys the tests' conftest
    # removes), so not ready (and the process still healthy). The release's `migrate`, as
    # docs/operations.md says, creates the first key set even with nothing left to apply; the
    # unit's readiness wait then passes.
    assert server_a.get("/healthz").status_code == 200
    assert readiness(server_a) == (503, {"status": "not ready", "missing": ["signing_key"]})
    manage(deployment.portal_env, "migrate", "--noinput", "--verbosity", "0")
    for server in deployment.portal_servers:
        wait_ready = subprocess.run(
            unit_command("ExecStartPost", server.env), capture_output=True, text=True, timeout=90
        )
        assert wait_ready.returncode == 0, wait_ready.stderr
    assert_health_checks_on_the_app_port(deployment)

    course = deployment.walkthrough_course
    home = f"{portal}/spaces/{course}/"
    launch = f"/panopto/launch/{course}/"

    # Plain http: one redirect to the same path over https (a profile of its own: once HSTS is
    # known, Chromium would not ask over http at all).
    probe = chromium.new_context(viewport=DESKTOP)
    probe_page = probe.new_page()
    with step(timings, "0. plain http → https"):
        response = probe_page.goto(deployment.plain_http_portal + "/sign-in/?next=/")
    first = response.request.redirected_from
    assert first is not None and first.url.startswith("http://"), "http was not redirected"
    assert first.redirected_from is None, "more than one redirect"
    assert first.response().status == 301
    assert response.url == f"{portal}/sign-in/?next=/" and response.status == 200
    probe.close()

    context = chromium.new_context(locale="hu-HU", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    seen = Observed(context)
    page = context.new_page()

    with step(timings, "1. student refused before the lecturer"):
        sign_in(page, portal, DEMO_STUDENT)
        page.goto(home)
        waiting = button(page, launch)
        assert waiting.get_attribute("aria-disabled") == "true"
        # The reason is written beside the button and names the lecturer (issue 25 item 2); a
        # click says it again to a screen reader.
        reason = page.locator(f"#{waiting.get_attribute('data-reason')}").inner_text().strip()
        assert "Szabó Gábor" in reason, reason
        waiting.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
        page.get_by_role("status").filter(has_text=reason).first.wait_for(state="attached")
        assert page.url == home
        sign_out(page, portal)

    with step(timings, "2. lecturer creates the folder as Creator"):
        sign_in(page, portal, DEMO_LECTURER)
        page.goto(home)
        button(page, launch).click()
        arrive_at_stand_in(page, stand_in, "/panopto-sim/folders/")
        folder = page.locator("section.sim-folder")
        assert folder.get_attribute("data-role") == "creator", page.content()[-800:]
        assert page.locator(".sim-recording").count() == len(SAMPLE_RECORDINGS)
    assert_stand_in_cookies_cross_site(context, stand_in)

    with step(timings, "3. student enters as Viewer"):
        sign_out(page, portal)
        sign_in(page, portal, DEMO_STUDENT)
        page.goto(home)
        button(page, launch).click()
        arrive_at_stand_in(page, stand_in, "/panopto-sim/folders/")
        assert page.locator("section.sim-folder").get_attribute("data-role") == "viewer"

    first_title, second_title = SAMPLE_RECORDINGS[0][0], SAMPLE_RECORDINGS[2][0]
    with step(timings, "4. lecturer links two videos through the picker"):
        sign_out(page, portal)
        sign_in(page, portal, DEMO_LECTURER)
        page.goto(home)
        button(page, f"/panopto/videos/{course}/pick/").click()
        arrive_at_stand_in(page, stand_in, "/panopto-sim/deep-link/")
        page.get_by_label(first_title).check()
        page.get_by_label(second_title).check()
        page.locator("button[name=action][value=add]").click()
        # The tool's cross-site post comes without the portal's session; the portal's own page
        # that follows shows what was linked, signed in.
        page.wait_for_url(re.compile(re.escape(portal) + r"/spaces/\d+/#videos$"))
        said = page.locator("main #videos .messages li").all_inner_texts()
        assert len(said) == 1 and first_title in said[0] and second_title in said[0]

    with step(timings, "5. student plays one"):
        sign_out(page, portal)
        sign_in(page, portal, DEMO_STUDENT)
        page.goto(home)
        videos = page.locator("#videos .video-list__item")
        assert videos.locator("strong").all_inner_texts() == [first_title, second_title]
        videos.filter(has_text=second_title).locator("button[type=submit]").click()
        arrive_at_stand_in(page, stand_in, "/panopto-sim/viewer/")
        viewer = page.locator("article.sim-viewer")
        assert viewer.get_attribute("data-role") == "viewer", page.content()[-800:]
        assert viewer.locator("h1").inner_text() == second_title

    with step(timings, "7. the self-test passes in production shape"):
        # As docs/operations.md runs it after a release: through nginx over HTTPS, against the
        # stand-in as the production Panopto site.
        report = json.loads(
            manage(deployment.portal_env, "panopto_check", "--format=json", "--language=en")
        )
        assert report["environment"] == "production" and report["issuer"] == portal
        not_passed = [c for c in report["checks"] if c["status"] != "pass"]
        assert not_passed == [], not_passed
        # With Panopto's APIs: SOAP's credentials and mapping, the API user's rights to read users
        # and folder access (what taking access back needs, issue 24), the REST API's token.
        assert len(report["checks"]) == 15
        assert {"api_access", "api_rest"} <= {c["check"] for c in report["checks"]}

    # What the browser saw.
    assert_cookies(context.cookies(), portal=portal, stand_in=stand_in)
    assert_transport(seen, portal=portal, stand_in=stand_in)
    # The metrics are not the public's: nginx refuses them (and plain http only redirects).
    refused = page.goto(f"{portal}/metrics")
    assert refused.status == 403, refused.status
    assert "neptun_" not in refused.text()
    context.close()
    # What the servers saw.
    assert_servers(deployment)
    assert_health_checks_on_the_app_port(deployment)
    assert_metrics(deployment)
    WALKTHROUGH_TIMINGS.update(timings)


def launch_records(deployment: Deployment) -> Counter:
    """The launch records' steps by (stage, outcome), read with a connection of its own,
    closed at once (not the ORM's: see tests/deploy/conftest.py)."""
    url = deployment.portal_env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT stage, outcome, sum(attempts) FROM panopto_link_launchrecord "
            "GROUP BY stage, outcome"
        ).fetchall()
    return Counter({(stage, outcome): int(count) for stage, outcome, count in rows})


def assert_metrics(deployment: Deployment) -> None:
    """Prometheus's view: each app server scraped on its own address over plain http (its two
    workers summed by each), the servers' sums added up — the launch records, step by step;
    Panopto's (the stand-in's) key set fetched for the videos; no scrape in any log."""
    totals: Counter = Counter()
    for server in deployment.portal_servers:
        response = server.get("/metrics")
        assert response.status_code == 200, (server.name, response.status_code)
        for sample, value in parsed(response.text).items():
            totals[sample] += value
    recorded = launch_records(deployment)
    steps = {
        (dict(labels)["step"], dict(labels)["outcome"]): value
        for (name, labels), value in totals.items()
        if name == "neptun_lti_launch_steps_total" and value
    }
    assert steps == dict(recorded), (steps, recorded)
    assert steps[("authorization", "accepted")] >= 4  # the three launches and the picker's
    fetched = ("neptun_outbound_fetches_total", (("document", "panopto_jwks"), ("outcome", "ok")))
    assert totals[fetched] >= 1, totals
    for server in deployment.portal_servers:
        logged = [line.get("path") for line in server.log_lines()]
        assert "/metrics" not in logged, f"{server.name} logged a scrape"
    REPORT.metrics.append(
        "HTTPS walkthrough, two app servers of two workers each, scraped one by one and added "
        "up: "
        + ", ".join(f"{step} {outcome} {int(n)}" for (step, outcome), n in sorted(steps.items()))
        + f" = the launch records; Panopto's key set fetched {int(totals[fetched])} time(s)"
    )


def assert_stand_in_cookies_cross_site(context, stand_in: str) -> None:
    """The stand-in's cookies that must come back with the portal's cross-site form posts."""
    cookies = {c["name"]: c for c in context.cookies(stand_in + "/panopto-sim/")}
    needed = [name for name in cookies if name.startswith("lti1p3-")] + ["panopto_sim_session"]
    for name in needed:
        assert name in cookies, f"the stand-in set no {name} cookie: {sorted(cookies)}"
        assert cookies[name]["sameSite"] == "None", f"{name}: {cookies[name]}"


def assert_cookies(cookies: list[dict], *, portal: str, stand_in: str) -> None:
    assert cookies, "the browser holds no cookie at all"
    not_secure = [f"{c['name']} ({c['domain']})" for c in cookies if not c["secure"]]
    assert not not_secure, f"cookies without Secure: {not_secure}"
    portal_cookies = {c["name"]: c for c in cookies if c["domain"] == PORTAL_HOST}
    session = portal_cookies.get("sessionid")
    assert session is not None, f"no session cookie: {sorted(portal_cookies)}"
    assert session["httpOnly"], f"the session cookie is not HttpOnly: {session}"
    assert session["sameSite"] == "Lax", session
    stand_in_cookies = {c["name"] for c in cookies if c["domain"] == STAND_IN_HOST}
    assert "panopto_sim_session" in stand_in_cookies, stand_in_cookies


def assert_transport(seen: Observed, *, portal: str, stand_in: str) -> None:
    insecure = [url for url in seen.requests if not url.startswith("https://")]
    assert not insecure, f"requests over plain http: {insecure}"
    assert all(url.startswith((portal, stand_in)) for url in seen.requests), seen.requests
    assert not seen.console_mentioning("Mixed Content"), seen.console
    assert not seen.console_mentioning("Content Security Policy"), seen.console
    pages = [r for r in seen.responses if r.request.resource_type == "document"]
    portal_pages = [r for r in pages if r.url.startswith(portal) and r.status == 200]
    assert portal_pages
    for response in portal_pages:
        hsts = response.all_headers().get("strict-transport-security", "")
        assert f"max-age={ONE_YEAR}" in hsts, (response.url, response.headers)
    # The portal's static files come from nginx's disk (no app server's X-Request-ID), cached
    # for a year.
    static = [r for r in seen.responses if r.url.startswith(portal + "/static/")]
    assert static, "no static file of the portal was loaded"
    for response in static:
        headers = response.all_headers()
        assert response.status in {200, 304}, (response.url, response.status)
        assert "x-request-id" not in headers, f"{response.url} came from an app server"
        assert "immutable" in headers.get("cache-control", ""), headers
        assert "camera=()" in headers.get("permissions-policy", ""), headers


def assert_servers(deployment: Deployment) -> None:
    """Both app servers took requests through the one upstream, nginx's request id is in their
    log lines, and no health check was logged though each was probed."""
    nginx_ids = {
        line["request_id"]
        for line in deployment.nginx_access_lines()
        if line["path"] == "/lti/authorize/"
    }
    assert nginx_ids, "nginx logged no authorization request"
    app_ids = set()
    for server in deployment.portal_servers:
        lines = server.log_lines()
        paths = [line.get("path") for line in lines]
        assert "/lti/authorize/" in paths or "/sign-in/" in paths, f"{server.name} took nothing"
        assert not {"/healthz", "/readyz"} & set(paths), f"{server.name} logged a health check"
        app_ids |= {line["request_id"] for line in lines if line.get("path") == "/lti/authorize/"}
    assert nginx_ids == app_ids, (nginx_ids, app_ids)
    # The two parties fetched each other's key sets over HTTPS through nginx (names resolved by
    # nss_wrapper, the test's CA trusted by requests), as Panopto and the portal do.
    portal_paths = {line["path"] for line in deployment.nginx_access_lines()}
    assert "/.well-known/jwks.json" in portal_paths, "the stand-in never fetched our JWKS"
    stand_in_log = deployment.root / "nginx" / "logs" / "panopto-stand-in.access.log"
    assert "GET /panopto-sim/jwks.json " in stand_in_log.read_text(), "the portal never fetched"

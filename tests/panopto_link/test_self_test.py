"""The configuration self-test (issue 12): `manage.py panopto_check` and the button on the
registration's admin page. Every check passes against the stand-in served by a live server,
and each fails (or warns) on its own against a closed port, a server answering wrongly, or a
setting that is wrong; the command's exit status says whether any failed."""

import datetime
import email.utils
import io
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from core.outbound import Probe, http_probe
from panopto_link.lti_platform import keys
from panopto_link.lti_platform.models import KeyState, PlatformKey
from panopto_link.lti_platform.self_test import Status, check_clock, check_signing_keys
from panopto_link.models import FolderState, PanoptoFolder, PanoptoRegistration
from panopto_link.self_test import run_self_test
from panopto_link.simulator.demo import connect_stand_in, stand_in_origin_for
from panopto_link.simulator.models import Folder as StandInFolder
from tests.factories import (
    FolderFactory,
    LicenceFactory,
    RegistrationFactory,
    SpaceFactory,
    UserFactory,
)

CHECKS = [
    "registration",
    "licence",
    "issuer",
    "own_jwks",
    "own_openid_configuration",
    "tool_jwks",
    "login_url",
    "redirect_uris",
    "signing_keys",
    "clock",
    "environment",
    "api_credentials",
    "api_mapping",
    "api_access",
    "api_rest",
]


def statuses(report) -> dict[str, Status]:
    return {result.key: result.status for result in report.results}


def result_of(report, key: str):
    return next(result for result in report.results if result.key == key)


def closed_port_url(path: str = "/") -> str:
    """A URL on which nothing listens: a port bound, noted and closed again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class AnswerServer:
    """A real HTTP server answering every GET with `status`, `body` and a Date header of
    `date` (a datetime; None sends none)."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b"{}"
        self.date: datetime.datetime | None = timezone.now()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response_only(server.status)
                if server.date is not None:
                    self.send_header("Date", email.utils.format_datetime(server.date, usegmt=True))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def answer(self, document, *, status: int = 200) -> None:
        self.body, self.status = json.dumps(document).encode(), status

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def answer_server():
    server = AnswerServer()
    yield server
    server.close()


# --- against the stand-in: everything passes ---------------------------------------------------


@pytest.fixture
def connected(live_server, settings):
    """The portal on the live server, registered with the stand-in as seed_demo does it."""
    portal = live_server.url
    settings.LTI_ISSUER = portal
    LicenceFactory()
    RegistrationFactory()
    connect_stand_in(
        portal_url=portal, stand_in_origin=stand_in_origin_for(portal), stdout=io.StringIO()
    )
    keys.keys_ensure()
    return portal


def launched(code: str = "MAT101") -> PanoptoFolder:
    """A space whose folder a lecturer's launch created: on both sides, under one context id."""
    folder = FolderFactory(
        space=SpaceFactory(code=code), state=FolderState.CREATED, created_at=timezone.now()
    )
    StandInFolder.objects.create(context_id=folder.context_id, name=f"Analízis ({code})")
    return folder


@pytest.mark.django_db(transaction=True)
def test_every_check_passes_against_the_stand_in(connected):
    launched()
    report = run_self_test(served_origin=connected)
    assert [result.key for result in report.results] == CHECKS
    assert statuses(report) == dict.fromkeys(CHECKS, Status.PASS), [
        (r.key, r.detail) for r in report.results if r.status is not Status.PASS
    ]
    assert not report.failed
    # The demo's configuration (connect_stand_in) sets the REST client: a real token was had.
    assert "gave a token" in result_of(report, "api_rest").detail


@pytest.mark.django_db(transaction=True)
def test_the_command_reports_every_check_and_exits_zero_when_none_fails(connected):
    launched()
    out = io.StringIO()
    call_command("panopto_check", "--language=en", stdout=out)
    text = out.getvalue()
    assert "15 checks: 15 passed, 0 warnings, 0 failed." in text
    assert text.count("[PASS]") == 15
    assert "Panopto's JWKS URL" in text and "RS256 key" in text


@pytest.mark.django_db(transaction=True)
def test_the_command_speaks_json_for_a_pipeline(connected):
    out = io.StringIO()
    call_command("panopto_check", "--format=json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["failed"] is False
    assert [check["check"] for check in document["checks"]] == CHECKS


# --- each check failing ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_closed_ports_fail_panoptos_urls_and_the_command_exits_non_zero(connected):
    registration = PanoptoRegistration.load()
    registration.jwks_url = closed_port_url("/jwks")
    registration.login_url = closed_port_url("/login")
    registration.save()
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("panopto_check", "--language=en", stdout=out)
    assert error.value.returncode == 1
    assert "2 failed" in out.getvalue()
    report = run_self_test()
    assert statuses(report)["tool_jwks"] is Status.FAIL
    assert statuses(report)["login_url"] is Status.FAIL
    assert "did not answer" in result_of(report, "login_url").detail
    assert statuses(report)["clock"] is Status.WARN  # no answer of Panopto's to compare with


@pytest.mark.django_db(transaction=True)
def test_an_issuer_on_a_closed_port_fails_the_portals_own_endpoints(connected, settings):
    settings.LTI_ISSUER = closed_port_url().rstrip("/")
    report = run_self_test()
    assert statuses(report)["own_jwks"] is Status.FAIL
    assert statuses(report)["own_openid_configuration"] is Status.FAIL
    assert "reachable" in result_of(report, "own_jwks").action


@pytest.mark.django_db(transaction=True)
def test_another_server_answering_at_the_issuer_fails_the_openid_check(
    connected, settings, answer_server
):
    settings.LTI_ISSUER = answer_server.url
    answer_server.answer({"issuer": "https://elsewhere.example", "keys": []})
    report = run_self_test()
    assert statuses(report)["own_openid_configuration"] is Status.FAIL
    assert "issuer" in result_of(report, "own_openid_configuration").detail
    assert statuses(report)["own_jwks"] is Status.FAIL  # no key to verify launches with


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("document", "status"),
    [
        ({"keys": []}, Status.FAIL),
        ({"keys": [{"kty": "RSA", "alg": "RS256", "n": "x", "e": "AQAB"}]}, Status.FAIL),
        ({"keys": [{"kty": "EC", "kid": "ec-1", "crv": "P-256"}]}, Status.FAIL),
        ({"not": "a key set"}, Status.FAIL),
        (
            {
                "keys": [
                    {"kty": "RSA", "alg": "RS256", "kid": "good", "n": "x", "e": "AQAB"},
                    {"kty": "RSA", "alg": "RS256", "n": "x", "e": "AQAB"},
                ]
            },
            Status.WARN,
        ),
    ],
)
def test_panoptos_jwks_needs_rs256_keys_with_kids(connected, answer_server, document, status):
    answer_server.answer(document)
    registration = PanoptoRegistration.load()
    registration.jwks_url = answer_server.url + "/jwks"
    registration.save()
    assert statuses(run_self_test())["tool_jwks"] is status


@pytest.mark.django_db(transaction=True)
def test_a_login_url_answering_a_server_error_fails(connected, answer_server):
    answer_server.answer({}, status=502)
    registration = PanoptoRegistration.load()
    registration.login_url = answer_server.url + "/login"
    registration.save()
    report = run_self_test()
    assert statuses(report)["login_url"] is Status.FAIL
    assert "answered 502" in result_of(report, "login_url").detail


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("skew", "status"),
    [(datetime.timedelta(minutes=-5), Status.FAIL), (datetime.timedelta(seconds=20), Status.WARN)],
)
def test_a_clock_far_from_panoptos_is_reported(connected, answer_server, skew, status):
    """Panopto's Date header, minutes or seconds off ours: the portal's clock is off."""
    answer_server.date = timezone.now() + skew
    answer_server.answer({"keys": [{"kty": "RSA", "alg": "RS256", "kid": "k", "n": "x", "e": "e"}]})
    registration = PanoptoRegistration.load()
    registration.jwks_url = answer_server.url + "/jwks"
    registration.login_url = answer_server.url + "/login"
    registration.save()
    report = run_self_test()
    assert statuses(report)["clock"] is status
    assert ("ahead" if skew.total_seconds() < 0 else "behind") in result_of(report, "clock").detail


@pytest.mark.django_db(transaction=True)
def test_no_registration_fails_the_checks_that_need_one(connected):
    PanoptoRegistration.objects.all().delete()
    found = statuses(run_self_test())
    assert {key for key, status in found.items() if status is Status.FAIL} == {
        "registration",
        "tool_jwks",
        "login_url",
        "redirect_uris",
    }


# --- settings and database state (no outbound request needed) ----------------------------------


@pytest.fixture
def quiet_probe():
    """A prober that answers nothing: for checks that do not depend on the network."""
    return lambda url, want_json: Probe(url=url, error="not asked in this test")


@pytest.mark.django_db
def test_an_incomplete_or_disabled_registration_fails(registration, quiet_probe):
    registration.jwks_url = ""
    registration.save()
    report = run_self_test(prober=quiet_probe)
    assert statuses(report)["registration"] is Status.FAIL
    assert "Panopto JWKS URL" in result_of(report, "registration").detail
    registration.jwks_url = "https://panopto.example.com/jwks"
    registration.is_enabled = False
    registration.save()
    assert "switched off" in result_of(run_self_test(prober=quiet_probe), "registration").detail


@pytest.mark.django_db
def test_no_valid_licence_warns(registration, quiet_probe):
    assert statuses(run_self_test(prober=quiet_probe))["licence"] is Status.WARN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("issuer", "environment", "allowed", "served", "status", "words"),
    [
        ("http://testserver", "production", ["*"], None, Status.FAIL, "plain http in production"),
        ("http://testserver", "test", ["*"], None, Status.WARN, "plain http"),
        ("http://testserver", "development", ["*"], None, Status.PASS, "served by this portal"),
        ("https://neptun.example.edu/portal", "production", ["*"], None, Status.FAIL, "path"),
        (
            "https://neptun.example.edu",
            "production",
            ["other.example"],
            None,
            Status.FAIL,
            "ALLOWED_HOSTS",
        ),
        (
            "https://neptun.example.edu",
            "production",
            ["*"],
            "https://neptun-admin.example.edu",
            Status.FAIL,
            "served at https://neptun-admin.example.edu",
        ),
        ("", "production", ["*"], None, Status.FAIL, "not an http(s) URL"),
        (
            "https://neptun.example.edu",
            "production",
            ["*"],
            "https://neptun.example.edu",
            Status.PASS,
            "",
        ),
        (  # RFC 6454: the page's origin in another case and with the default port is the same
            "https://neptun.example.edu",
            "production",
            ["*"],
            "https://Neptun.Example.edu:443",
            Status.PASS,
            "",
        ),
    ],
)
def test_the_issuer_check(
    settings, quiet_probe, issuer, environment, allowed, served, status, words
):
    settings.LTI_ISSUER = issuer
    settings.PORTAL_ENVIRONMENT = environment
    settings.ALLOWED_HOSTS = allowed
    result = result_of(run_self_test(served_origin=served, prober=quiet_probe), "issuer")
    assert result.status is status and words in result.detail, result.detail


@pytest.mark.django_db
def test_redirect_uris_off_the_launch_urls_origin_fail(registration, quiet_probe):
    registration.redirect_uris += "\nhttps://evil.example/collect"
    registration.save()
    result = result_of(run_self_test(prober=quiet_probe), "redirect_uris")
    assert result.status is Status.FAIL and "https://evil.example/collect" in result.detail


@pytest.mark.django_db
def test_redirect_uris_on_the_launch_urls_origin_in_another_case_or_with_443_pass(
    registration, quiet_probe
):
    """RFC 6454 (issue 21): `https://PANOPTO.example.com:443` is the launch URL's origin."""
    registration.launch_url = "https://Panopto.Example.com/Panopto/LTI/LTI13.aspx"
    registration.redirect_uris += "\nhttps://PANOPTO.example.com:443/Panopto/LTI/other.aspx"
    registration.save()
    result = result_of(run_self_test(prober=quiet_probe), "redirect_uris")
    assert result.status is Status.PASS, result.detail
    assert "https://panopto.example.com." in result.detail


@pytest.mark.django_db
def test_plain_http_panopto_urls_fail_in_production_only(registration, settings, quiet_probe):
    registration.login_url = "http://panopto.example.com/Panopto/oidc/login"
    registration.save()
    assert statuses(run_self_test(prober=quiet_probe))["redirect_uris"] is Status.PASS
    settings.PORTAL_ENVIRONMENT = "production"
    result = result_of(run_self_test(prober=quiet_probe), "redirect_uris")
    assert result.status is Status.FAIL and "oidc/login" in result.detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("environment", "production_site", "status"),
    [
        ("test", True, Status.WARN),
        ("development", True, Status.WARN),
        ("production", False, Status.WARN),
        ("production", True, Status.PASS),
        ("test", False, Status.PASS),
    ],
)
def test_a_non_production_portal_pointing_at_the_production_site_is_warned(
    registration, settings, quiet_probe, environment, production_site, status
):
    settings.PORTAL_ENVIRONMENT = environment
    registration.is_production_site = production_site
    registration.save()
    assert statuses(run_self_test(prober=quiet_probe))["environment"] is status


# --- the signing keys ---------------------------------------------------------------------------


def served(*kids: str) -> Probe:
    """The portal's JWKS as a tool would have fetched it."""
    document = {"keys": [{"kty": "RSA", "alg": "RS256", "kid": kid} for kid in kids]}
    return Probe(url="http://testserver/.well-known/jwks.json", status=200, document=document)


def published_kids() -> list[str]:
    states = (KeyState.NEXT, KeyState.CURRENT, KeyState.PREVIOUS)
    return list(PlatformKey.objects.filter(state__in=states).values_list("kid", flat=True))


@pytest.mark.django_db
def test_the_signing_keys_pass_when_published_as_the_database_has_them():
    keys.keys_ensure()
    assert check_signing_keys(served(*published_kids())).status is Status.PASS


@pytest.mark.django_db
def test_no_current_key_fails_and_the_check_creates_none():
    result = check_signing_keys(served())
    assert result.status is Status.FAIL and "lti_rotate_key" in result.action
    assert not PlatformKey.objects.exists()


@pytest.mark.django_db
def test_a_retired_key_still_published_fails():
    keys.keys_ensure()
    keys.keys_rotate(min_next_age_seconds=0)
    retired = PlatformKey.objects.get(state=KeyState.PREVIOUS)
    keys.keys_rotate(min_next_age_seconds=0, grace_seconds=0)
    assert PlatformKey.objects.get(pk=retired.pk).state == KeyState.RETIRED
    result = check_signing_keys(served(*published_kids(), retired.kid))
    assert result.status is Status.FAIL and retired.kid in result.detail


@pytest.mark.django_db
def test_a_current_key_missing_from_the_published_set_fails():
    keys.keys_ensure()
    current = PlatformKey.objects.get(state=KeyState.CURRENT).kid
    result = check_signing_keys(served(*(kid for kid in published_kids() if kid != current)))
    assert result.status is Status.FAIL and current in result.detail


@pytest.mark.django_db
def test_a_previous_key_past_its_grace_period_warns(settings):
    keys.keys_ensure()
    keys.keys_rotate(min_next_age_seconds=0)
    PlatformKey.objects.filter(state=KeyState.PREVIOUS).update(
        deactivated_at=timezone.now()
        - datetime.timedelta(seconds=settings.LTI_KEY_GRACE_PERIOD + 60)
    )
    result = check_signing_keys(served(*published_kids()))
    assert result.status is Status.WARN and "grace period" in result.detail


@pytest.mark.django_db
def test_no_next_key_warns():
    keys.keys_ensure()
    PlatformKey.objects.filter(state=KeyState.NEXT).update(state=KeyState.RETIRED)
    assert check_signing_keys(served(*published_kids())).status is Status.WARN


@pytest.mark.django_db
def test_a_key_that_cannot_be_decrypted_fails(settings):
    keys.keys_ensure()
    keys.forget_process_copies()
    settings.LTI_KEY_ENCRYPTION_KEYS = ["cmVwbGFjZWQtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="]
    try:
        result = check_signing_keys(served(*published_kids()))
    finally:
        keys.forget_process_copies()
    assert result.status is Status.FAIL and "LTI_KEY_ENCRYPTION_KEY" in result.action


def test_the_clock_passes_close_to_panoptos_and_warns_without_a_date():
    now = time.time()
    close = Probe(
        url="u",
        status=200,
        date=datetime.datetime.fromtimestamp(int(now), datetime.UTC),
        received_at=now,
    )
    assert check_clock([close], party="Panopto").status is Status.PASS
    assert check_clock([Probe(url="u", status=200)], party="Panopto").status is Status.WARN


@pytest.mark.parametrize(
    ("skew", "language", "said"),
    [
        (0.3, "hu", "Ennek a szervernek az órája egyezik ezzel: Panopto."),
        (-0.4, "en", "This server's clock matches Panopto's."),
        (3, "hu", "Ennek a szervernek az órája 3 mp-cel késik ehhez képest: Panopto."),
        (-3, "en", "This server's clock is 3 s ahead of Panopto's."),
    ],
)
def test_the_clock_says_it_matches_when_no_whole_second_apart(skew, language, said):
    """At 0 s the clock *egyezik* (matches): neither "0 mp-cel siet" nor "0 s behind" (issue 25
    item 12)."""
    now = 1_800_000_000.0
    probe = Probe(
        url="u",
        status=200,
        date=datetime.datetime.fromtimestamp(now + skew, datetime.UTC),
        received_at=now,
    )
    with translation.override(language):
        result = check_clock([probe], party="Panopto")
        assert str(result.detail) == said
    assert result.status is Status.PASS


# --- no outbound request hangs ---------------------------------------------------------------


def test_a_server_that_never_answers_is_given_up_within_the_time_limit():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/jwks"
        started = time.monotonic()
        answer = http_probe(url, want_json=True, timeout=0.5)
        elapsed = time.monotonic() - started
    assert not answer.answered and "time limit" in answer.error
    assert elapsed < 2


def test_a_server_that_trickles_its_answer_is_given_up_at_the_deadline():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/jwks"

        def trickle() -> None:
            connection, _address = listener.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{")
                for _ in range(40):
                    time.sleep(0.1)
                    try:
                        connection.sendall(b" ")
                    except OSError:
                        return

        threading.Thread(target=trickle, daemon=True).start()
        started = time.monotonic()
        answer = http_probe(url, want_json=True, timeout=0.5)
        elapsed = time.monotonic() - started
    assert answer.status == 200 and "longer than" in answer.error
    assert elapsed < 2


# --- the button on the registration's admin page ----------------------------------------------


@pytest.mark.django_db
def test_the_admin_page_runs_the_self_test_on_a_post(admin_client, registration):
    url = reverse("admin:panopto_link_panoptoregistration_self_test")
    change = admin_client.get(
        reverse("admin:panopto_link_panoptoregistration_change", args=[1])
    ).content.decode()
    assert url in change
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Run the self-test" in page and "self-test-results" not in page
    body = admin_client.post(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for key in CHECKS:
        assert f'data-check="{key}"' in body
    assert 'data-check="registration" data-status="pass"' in body
    assert 'data-check="issuer" data-status="pass"' in body  # served on the issuer's origin
    assert 'data-check="licence" data-status="warn"' in body
    assert "What to do" in body and "failed." in body


@pytest.mark.django_db
def test_the_self_test_page_is_for_the_admin_only(client, world):
    client.force_login(world.member)
    response = client.post(reverse("admin:panopto_link_panoptoregistration_self_test"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.fixture
def view_only_staff(client):
    """Staff who may view the registration and nothing more."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_panoptoregistration"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_view_only_staff_cannot_run_the_self_test_but_see_the_last_report(
    view_only_staff, admin_client, registration
):
    """Issue 20 finding 5: staff with only view permission on the registration could run the
    self-test (its outbound probes). Running takes change permission; they see the last report."""
    url = reverse("admin:panopto_link_panoptoregistration_self_test")
    page = view_only_staff.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "self-test-results" not in body and "Run the self-test" not in body
    assert "has not been run lately" in body
    assert view_only_staff.post(url).status_code == 403
    # Someone who may change the registration runs it; the view-only staff then see that report.
    admin_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    body = view_only_staff.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-check="registration" data-status="pass"' in body
    assert "The last report, run at" in body and "Run the self-test" not in body
    assert view_only_staff.post(url).status_code == 403

"""PostgreSQL stopped under traffic: the portal answers a clear, translated 503 page with
Retry-After instead of a traceback, and recovers by itself when the database is back — the
same gunicorn process, its persistent connections checked and replaced (conn_health_checks),
its users still signed in, and no launch left half-written."""

import threading
import time
from collections import Counter
from dataclasses import dataclass

import psycopg
import pytest

from tests.faults.conftest import PortalSession, scrape
from tests.robustness_report import REPORT

OUTAGE_SECONDS = 3
TITLES = {"hu": "A portál átmenetileg nem érhető el", "en": "The portal is temporarily unavailable"}
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", 'File "')


@dataclass
class Sample:
    at: float
    phase: str
    action: str
    language: str
    status: int | None  # None: no answer at all
    retry_after: str | None
    body: str
    launched: bool = False


class Traffic(threading.Thread):
    """Signed-in members and an anonymous visitor, in Hungarian and English, using the portal
    without a pause: the space's page, launches, the JWKS, the sign-in page."""

    def __init__(self, world) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.phase = "before"
        self.samples: list[Sample] = []
        self.stopping = threading.Event()
        self.browsers = []
        for username, language in (("TAG001", "hu"), ("OKTATO", "en")):
            browser = PortalSession(world, language=language)
            assert browser.sign_in(username).status_code == 302
            self.browsers.append(browser)
        self.anonymous = PortalSession(world, language="en")

    def record(self, action: str, browser: PortalSession, call) -> None:
        language = browser.http.headers["Accept-Language"]
        try:
            response, launched = call()
        except Exception:  # no answer: the server itself is gone, which must not happen
            self.samples.append(
                Sample(time.monotonic(), self.phase, action, language, None, None, "")
            )
            return
        self.samples.append(
            Sample(
                time.monotonic(),
                self.phase,
                action,
                language,
                response.status_code,
                response.headers.get("Retry-After"),
                response.text,
                launched,
            )
        )

    def run(self) -> None:
        space = f"/spaces/{self.world.course}/"
        while not self.stopping.is_set():
            for browser in self.browsers:
                self.record("space page", browser, lambda b=browser: (b.get(space), False))
                self.record("launch", browser, lambda b=browser: self.launch(b))
            self.record(
                "jwks",
                self.anonymous,
                lambda: (self.anonymous.get("/.well-known/jwks.json"), False),
            )
            self.record(
                "sign-in page", self.anonymous, lambda: (self.anonymous.get("/sign-in/"), False)
            )
            time.sleep(0.02)

    @staticmethod
    def launch(browser: PortalSession):
        click = browser.click_launch()
        if click.status_code != 302:
            return click, False
        response = browser.get("/lti/authorize/", params=browser.authorization_params(click))
        return response, response.status_code == 200 and 'name="id_token"' in response.text


def launch_data_consistent(url: str) -> tuple[int, bool]:
    """(accepted launches, whether every consumed hint has exactly its accepted record)."""
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        records = {
            row[0]
            for row in db.execute(
                "SELECT hint_id FROM panopto_link_launchrecord "
                "WHERE stage = 'authorization' AND outcome = 'accepted'"
            )
        }
        consumed = {
            row[0]
            for row in db.execute(
                "SELECT value FROM panopto_link_consumedtoken WHERE kind = 'hint'"
            )
        }
    return len(records), records == consumed


@pytest.mark.parametrize(
    ("mode", "what"),
    [("fast", "stopped (pg_ctl -m fast)"), ("immediate", "crashed (pg_ctl -m immediate)")],
    ids=["stopped", "crashed"],
)
def test_database_outage_mid_traffic_answers_503_and_recovers_without_a_restart(
    fault_world, mode, what
):
    server = fault_world.server
    pid = server.process.pid
    outages = ("neptun_database_unavailable_responses_total", ())
    counted_before = scrape(fault_world).get(outages, 0)
    traffic = Traffic(fault_world)
    traffic.start()
    time.sleep(1.5)
    traffic.phase = "outage"
    fault_world.postgres.stop(mode)
    time.sleep(OUTAGE_SECONDS)
    traffic.phase = "recovery"
    restarted_at = time.monotonic()
    fault_world.postgres.start()
    deadline = restarted_at + 30
    while time.monotonic() < deadline:
        if any(s.launched and s.at > restarted_at for s in traffic.samples[-20:]):
            break
        time.sleep(0.1)
    recovered_at = next((s.at for s in traffic.samples if s.launched and s.at > restarted_at), None)
    traffic.phase = "after"
    time.sleep(1)
    traffic.stopping.set()
    traffic.join(30)

    samples = traffic.samples
    statuses = Counter(s.status for s in samples)
    assert None not in statuses, "the server stopped answering"
    assert set(statuses) <= {200, 302, 503}, statuses  # never a 500
    for sample in samples:
        assert not any(leak in sample.body for leak in LEAKS), sample.body[:2000]
        if sample.status == 503:
            assert sample.retry_after == "15"
            assert TITLES[sample.language] in sample.body, sample.body[:500]
    outage = [s for s in samples if s.phase == "outage"]
    unavailable = [s for s in outage if s.status == 503]
    assert any(s.action in ("space page", "launch") for s in unavailable)
    assert recovered_at is not None, "no launch succeeded within 30 s of PostgreSQL's return"
    after = [s for s in samples if s.phase == "after"]
    assert after and all(s.status in (200, 302) for s in after), Counter(s.status for s in after)
    assert sum(s.launched for s in after) > 0
    # The same process served it all: no restart, and the users stayed signed in.
    assert server.process.poll() is None and server.process.pid == pid
    accepted, consistent = launch_data_consistent(fault_world.postgres.url)
    assert consistent, "a launch was left half-written"
    # Every 503 of the outage is counted, once.
    answered_503 = sum(s.status == 503 for s in samples)
    assert scrape(fault_world)[outages] - counted_before == answered_503

    served = Counter(s.action for s in outage if s.status == 200)
    REPORT.faults.append(
        f"PostgreSQL {what} under traffic for {OUTAGE_SECONDS} s: {len(unavailable)} of "
        f"{len(outage)} requests during the outage got the 503 page "
        f"(\u201c{TITLES['hu']}\u201d / \u201c{TITLES['en']}\u201d, Retry-After: 15), "
        f"{sum(served.values())} were still served without the database "
        f"({', '.join(f'{a}: {n}' for a, n in sorted(served.items())) or 'none'}); "
        f"0 answered 500, no traceback; the first launch succeeded "
        f"{recovered_at - restarted_at:.1f} s after PostgreSQL was back, same gunicorn process, "
        f"users still signed in; {accepted} launches in all, none half-written; "
        f"neptun_database_unavailable_responses_total counted the {answered_503} 503s"
    )

"""Redis stopped or hung: what docs/decisions/0001 promises. The portal keeps launching (Redis
holds nothing a launch needs), a consumed hint is still refused on replay (single use lives in
the database), the JWKS is served from the database, and the rate limits are counted in each
app process's memory until Redis answers again (docs/security.md) — never switched off, never
locking everyone out."""

import socket
import time

from tests.faults.conftest import PortalSession, scrape
from tests.metrics import key
from tests.robustness_report import REPORT

TOO_MANY = {"hu": "Túl sok próbálkozás", "en": "Too many attempts"}


def redis_keys(port: int, pattern: str) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        command = f"*2\r\n$4\r\nKEYS\r\n${len(pattern)}\r\n{pattern}\r\n".encode()
        sock.sendall(command)
        time.sleep(0.1)
        reply = sock.recv(65536)
    return [line for line in reply.split(b"\r\n") if b"ratelimit" in line]


def timed_launch(browser: PortalSession) -> tuple[float, dict | None]:
    started = time.monotonic()
    _click, fields = browser.launch()
    return time.monotonic() - started, fields


def test_with_redis_stopped_launches_keep_working_and_replays_stay_refused(fault_world):
    member = PortalSession(fault_world, language="hu")
    assert member.sign_in("TAG001").status_code == 302
    assert "id_token" in member.launch()[1]
    before = scrape(fault_world)

    fault_world.redis.stop()
    try:
        durations, launched = [], 0
        for _ in range(5):
            duration, fields = timed_launch(member)
            durations.append(duration)
            launched += "id_token" in fields
        assert launched == 5

        # Single use does not depend on Redis: the replay of a consumed hint is refused.
        click = member.click_launch()
        params = member.authorization_params(click)
        assert "id_token" in member.authorize(params)
        replay = member.authorize(params)
        assert "id_token" not in replay
        assert replay["error"] == "invalid_request"
        assert replay["error_description"] == "The lti_message_hint has already been used."

        jwks = member.get("/.well-known/jwks.json")
        assert jwks.status_code == 200 and jwks.json()["keys"]

        # Password guesses are still limited, counted in this app process (RATE_LIMIT_SIGN_IN
        # is 5 per 5 minutes on the fault server) …
        guesser = PortalSession(fault_world, language="hu")
        guesses = [guesser.sign_in("GUESSED", f"guess-{i}").status_code for i in range(5)]
        assert guesses == [200] * 5
        refused = guesser.sign_in("GUESSED")
        assert refused.status_code == 429 and TOO_MANY["hu"] in refused.text
        assert refused.headers["Retry-After"]
        # … and nobody else is locked out.
        assert PortalSession(fault_world).sign_in("TAG001").status_code == 302
    finally:
        fault_world.redis.start()  # a new, empty Redis on the same port

    time.sleep(1.2)  # SHARED_CACHE_RETRY_SECONDS on the fault server
    assert "id_token" in member.launch()[1]
    PortalSession(fault_world).sign_in("GUESSED", "one-more-guess")
    assert redis_keys(fault_world.redis.port, "*ratelimit*"), "limits are shared again"
    # The outage survived, in the metrics: calls answered without Redis, the one sign-in
    # refused by its limit.
    after = scrape(fault_world)

    def added(name: str, **labels: str) -> float:
        sample = key(name, **labels)
        return after.get(sample, 0) - before.get(sample, 0)

    cache_calls = "neptun_shared_cache_unavailable_calls_total"
    assert added(cache_calls, cause="failed") >= 1
    assert added(cache_calls, cause="marked_down") >= 1
    assert added("neptun_rate_limit_refusals_total", limit="sign_in") == 1
    assert added("neptun_lti_launch_steps_total", step="authorization", outcome="accepted") == 7
    REPORT.faults.append(
        "Redis stopped: launches kept working (5 of 5, the slowest "
        f"{max(durations):.2f} s), the replayed hint was refused (\u201cThe lti_message_hint has "
        "already been used.\u201d posted back to the tool), the JWKS was served from the "
        "database, the 6th wrong password in 5 minutes got the 429 page "
        f"(\u201c{TOO_MANY['hu']}\u201d) from the per-process count, other users signed in; "
        "counts were shared in Redis again once it was back"
    )


def test_a_hung_redis_costs_at_most_one_timeout_now_and_then(fault_world):
    member = PortalSession(fault_world, language="en")
    assert member.sign_in("TAG001").status_code == 302
    fault_world.redis.freeze()
    try:
        results = [timed_launch(member) for _ in range(12)]
        jwks_started = time.monotonic()
        jwks = member.get("/.well-known/jwks.json")
        jwks_seconds = time.monotonic() - jwks_started
    finally:
        fault_world.redis.thaw()
    durations = sorted(duration for duration, _fields in results)
    assert all("id_token" in fields for _duration, fields in results)
    assert jwks.status_code == 200
    # A hung Redis costs a request its socket timeout (1 s) at most once per
    # SHARED_CACHE_RETRY_SECONDS; every other request does not wait for it at all.
    assert durations[-1] < 3
    assert durations[len(durations) // 2] < 0.8, durations
    REPORT.faults.append(
        "Redis hung (SIGSTOP): 12 of 12 launches worked, median "
        f"{durations[len(durations) // 2]:.2f} s, slowest {durations[-1]:.2f} s (one socket "
        "timeout, then the app stops asking for a moment); the JWKS answered in "
        f"{jwks_seconds:.2f} s"
    )

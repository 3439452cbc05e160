"""The metrics summed over gunicorn's workers: production's configuration
(portal/gunicorn.conf.py) with two synchronous workers, the production settings, a Redis of its
own and a database of its own (a SQLite file: nothing here depends on PostgreSQL, so the test
runs in both passes of .ci/run), and a multiprocess directory of this test's own that holds a
stale file of an earlier run when the server starts.

Launches, replayed hints and password guesses go to whichever worker takes them; one scrape,
answered by either worker, holds exactly the counts the test caused — the launch records'
counts — summed over both; a worker killed keeps its counts in the sum. The scrape is refused
to another address and to a request through a proxy, opened by the bearer token, and no answered
scrape is in the access log."""

import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from cryptography.fernet import Fernet
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from tests.faults.conftest import PortalSession
from tests.faults.instances import AppServer, RedisInstance
from tests.metrics import Samples, key, parsed
from tests.robustness_report import REPORT

TOKEN = "token-of-the-monitoring-system-0123456789"
STEPS = "neptun_lti_launch_steps_total"
STALE_COUNT = 1000.0
BROWSERS = 4


def stale_file(directory: Path) -> None:
    """What a crashed earlier run would leave: a worker's file counting 1,000 launches."""
    stale = MmapedDict(str(directory / "counter_4242.db"))
    stale.write_value(
        mmap_key(
            "neptun_lti_launch_steps",
            STEPS,
            ["step", "outcome"],
            ["authorization", "accepted"],
            "Launch steps written to the audit.",
        ),
        STALE_COUNT,
        0.0,
    )
    stale.close()


@pytest.fixture
def metered_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server: the workers share their cache, as in production")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    stale_file(metrics_dir)
    redis = RedisInstance()
    server = AppServer(
        env={},
        log=tmp_path / "gunicorn.log",
        workers=2,
        threads=1,
        configuration="portal/gunicorn.conf.py",
    )
    try:
        redis.start()
        release = {
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "SECRET_KEY": Fernet.generate_key().decode() * 2,
            "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "LTI_ISSUER": server.url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "CACHE_URL": redis.url,
            "RATE_LIMIT_LAUNCH": "10000/60",
            "RATE_LIMIT_SIGN_IN": "2/300",
            "METRICS_BEARER_TOKEN": TOKEN,
            "LOG_LEVEL": "WARNING",
        }
        # The release's commands run without the server's metrics directory (docs/operations.md).
        server.env = release
        server.manage("migrate", "--noinput")
        seeded = server.manage("shell", "-c", "from tests.faults.seed import seed; seed()")
        course = json.loads(seeded.strip().splitlines()[-1])["course"]
        server.env = {**release, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        server.start()
        yield SimpleNamespace(
            server=server,
            course=course,
            metrics_dir=metrics_dir,
            database=tmp_path / "portal.sqlite3",
        )
    finally:
        server.stop()
        redis.stop()


def scrape(server: AppServer, **headers) -> Samples:
    response = requests.get(server.url + "/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parsed(response.text)


def get_from(source: str, server: AppServer, path: str, **headers) -> int:
    """GET over a connection from `source` (any address of 127.0.0.0/8 is this machine)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert b"neptun_" not in body or response.status == 200
        return response.status
    finally:
        connection.close()


def per_worker_launches(directory: Path) -> dict[int, float]:
    """Each process's launch steps, from its own file in the multiprocess directory."""
    counts: Counter = Counter()
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for mmap_key_text, value, _timestamp, _position in MmapedDict.read_all_values_from_file(
            str(path)
        ):
            if json.loads(mmap_key_text)[1] == STEPS:
                counts[pid] += value
    return dict(counts)


def recorded_steps(database: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT stage, outcome, sum(attempts) FROM panopto_link_launchrecord "
            "GROUP BY stage, outcome"
        ).fetchall()
    return {(stage, outcome): count for stage, outcome, count in rows}


def scraped_steps(samples: Samples) -> dict[tuple[str, str], int]:
    return {
        (dict(labels)["step"], dict(labels)["outcome"]): int(value)
        for (name, labels), value in samples.items()
        if name == STEPS and value
    }


def workers_of(master: int) -> set[int]:
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.add(int(stat.parent.name))
    return children


def test_a_scrape_sums_the_counts_of_both_workers(metered_server):
    server = metered_server.server
    world = SimpleNamespace(server=server, course=metered_server.course)
    browsers = [PortalSession(world, language="en") for _ in range(BROWSERS)]
    for browser in browsers:
        assert browser.sign_in("TAG001").status_code == 302

    clicks = issued = 0
    used: list[tuple[PortalSession, dict]] = []

    def launch(browser: PortalSession):
        click = browser.click_launch()
        params = browser.authorization_params(click)
        return click.status_code, params, browser.authorize(params)

    # Simultaneous launches: a synchronous worker takes one request at a time, so both take
    # some. Until each worker has counted launches of its own (a few rounds at most).
    with concurrent.futures.ThreadPoolExecutor(BROWSERS) as pool:
        for _round in range(10):
            for browser, (status, params, fields) in zip(
                browsers, pool.map(launch, browsers), strict=True
            ):
                clicks += status == 302
                issued += "id_token" in fields
                used.append((browser, params))
            counted = per_worker_launches(metered_server.metrics_dir)
            if len([pid for pid, count in counted.items() if count and pid != 4242]) >= 2:
                break
    workers = {pid: count for pid, count in counted.items() if count and pid != 4242}
    assert len(workers) == 2, f"one worker took every launch: {counted}"
    assert clicks == issued == len(used)

    # A hint used is refused when replayed (posted back to the tool, counted by its reason).
    replays = used[:3]
    for browser, params in replays:
        fields = browser.authorize(params)
        assert fields["error"] == "invalid_request" and "id_token" not in fields
    # Password guesses beyond the limit (2 per 5 minutes, counted in Redis by every worker).
    guesser = PortalSession(world, language="en")
    guesses = [guesser.sign_in("GUESSED", f"guess-{i}").status_code for i in range(5)]
    assert guesses == [200, 200, 429, 429, 429]

    samples = scrape(server)
    assert scraped_steps(samples) == {
        ("initiation", "accepted"): clicks,
        ("authorization", "accepted"): issued,  # the stale file's 1,000 are gone
        ("authorization", "refused"): len(replays),
    }
    # … which is what the launch records say.
    recorded = recorded_steps(metered_server.database)
    assert scraped_steps(samples) == recorded
    assert samples[
        key("neptun_lti_launch_refusals_total", step="authorization", reason="hint_replayed")
    ] == len(replays)
    histogram = "neptun_lti_authorization_duration_seconds"
    assert samples[key(f"{histogram}_count", outcome="issued")] == issued
    assert samples[key(f"{histogram}_bucket", outcome="issued", le="+Inf")] == issued
    assert samples[key(f"{histogram}_count", outcome="refused")] == len(replays)
    assert samples[key("neptun_rate_limit_refusals_total", limit="sign_in")] == 3
    # The sum is the workers' files added up: neither worker's share alone.
    files = per_worker_launches(metered_server.metrics_dir)
    assert sum(files.values()) == clicks + issued + len(replays)
    assert all(count < clicks + issued + len(replays) for count in workers.values())

    # Whichever worker answers, the same sums (scrapes at once reach both).
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _i: scraped_steps(scrape(server)), range(8)))
    assert all(answer == scraped_steps(samples) for answer in answers)

    # A worker killed: gunicorn starts another, and the dead one's counts stay in the sum.
    master = server.process.pid
    before = workers_of(master)
    victim = next(iter(before & workers.keys()))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = workers_of(master)
        if victim not in now and len(now) == 2:
            break
        time.sleep(0.1)
    assert victim not in workers_of(master) and len(workers_of(master)) == 2
    assert scraped_steps(scrape(server)) == scraped_steps(samples)
    _click, fields = browsers[0].launch()
    assert "id_token" in fields
    after = scraped_steps(scrape(server))
    assert after[("authorization", "accepted")] == issued + 1
    assert after == recorded_steps(metered_server.database)

    # Only the monitoring system reads them: another address gets the 404 unless it has the
    # token; a request that came through a proxy for someone outside too.
    assert get_from("127.0.0.2", server, "/metrics") == 404
    assert get_from("127.0.0.2", server, "/metrics", Authorization=f"Bearer {TOKEN}") == 200
    assert get_from("127.0.0.2", server, "/metrics", Authorization="Bearer wrong") == 404
    proxied = requests.get(
        server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    assert proxied.status_code == 404 and "neptun_" not in proxied.text

    # No answered scrape in the access log; the refused ones are there (each written just after
    # its answer was sent).
    deadline = time.monotonic() + 10
    while True:
        lines = [
            json.loads(line) for line in server.log.read_text().splitlines() if line[:1] == "{"
        ]
        access = [line for line in lines if line["logger"] == "gunicorn.access"]
        scrapes = [line for line in access if line["path"] == "/metrics"]
        if len(scrapes) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(access) > len(scrapes), "no access line at all"
    assert [line["status"] for line in scrapes] == [404, 404, 404], scrapes
    REPORT.metrics.append(
        f"two gunicorn workers: {clicks} launches ({clicks} clicks, {issued} id_tokens; the "
        f"workers' files {sorted(int(count) for count in workers.values())} steps), "
        f"{len(replays)} replays, 3 sign-ins beyond the limit; one scrape summed "
        f"{sum(scraped_steps(samples).values())} steps = the launch records' "
        f"{sum(recorded.values())} (a stale file's {STALE_COUNT:.0f} left out); after a worker "
        f"was killed and one more launch: {sum(after.values())} = the records'"
    )

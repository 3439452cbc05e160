"""`make bench`: seed a large institute, start gunicorn with two workers, load each endpoint
and its bare baseline with wrk, and write bench/results/<date>.json and .png.

Every endpoint is reported as requests per second divided by its baseline's, both measured in
the same run against the same server: the machine's speed and its other load cancel out of
the ratio, not out of the absolute figures. Each repetition measures a baseline and its
endpoint back to back (which goes first alternates); the ratio reported is the median of the
repetitions' ratios, the absolute figures are medians too, and every run records the load
average it started at.

    python -m bench.run [--duration 10] [--repeat 3] [--warmup 5] [--connections 4]

Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/bench_big, created when
missing), BENCH_CACHE_URL (redis://127.0.0.1:6379/6).
"""

import argparse
import base64
import collections
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import paths
from bench.common import (
    HINT_MAX_AGE,
    RESULTS,
    WORK,
    Server,
    authorization_request,
    bench_env,
    database_ensure,
    git_commit,
    launch_data_reset,
    machine,
    say,
    signed_in,
)

PANOPTO_PAGE_URL_NAME = "panopto_link:studies_panopto"
# The goals of issue 16 (of the benchmark, not test assertions): each step's share of its bare
# baseline's throughput on the same machine in the same run.
TARGETS = {
    "authorization": 0.3,
    "login initiation": 0.5,
    "Panopto page (40 spaces)": 0.35,
    "JWKS": 0.9,
}
# Issue 23: the Panopto page showing each ready folder's newest recordings (from the cache)
# keeps within 10 % of the same page's ratio without them, measured in the same run.
RECORDINGS_PAGE = "Panopto page (40 spaces, recordings shown)"
RECORDINGS_PAGE_SHARE = 0.9
WORKER_PEAK_RSS_TARGET_MB = 120


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per endpoint (≥ 3)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=4, help="wrk's open connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--spaces", type=int, default=20_000)
    parser.add_argument("--memberships", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="seed again even at the same size")
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop")
    parser.add_argument(
        "--only",
        default="",
        help='measure only the endpoints whose name contains this, e.g. "Panopto page"',
    )
    parser.add_argument(
        "--profile", action="store_true", help="afterwards, sample a worker with py-spy"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where results are written")
    capacity = parser.add_argument_group("the capacity test (bench/capacity.py)")
    which = capacity.add_mutually_exclusive_group()
    which.add_argument(
        "--capacity-only", action="store_true", help="run the capacity test, not the ratios"
    )
    which.add_argument("--no-capacity", action="store_true", help="run the ratios only")
    capacity.add_argument(
        "--capacity-step-duration", type=int, default=20, help="seconds per step of the search"
    )
    capacity.add_argument(
        "--capacity-lecture-duration",
        type=int,
        default=60,
        help="seconds at the lecture-hour rate",
    )
    capacity.add_argument("--capacity-warmup", type=int, default=10, help="seconds of warm-up")
    capacity.add_argument(
        "--capacity-people", type=int, default=2000, help="signed-in people the requests come from"
    )
    capacity.add_argument(
        "--capacity-panopto-share",
        type=float,
        default=0.6,
        help="the Panopto page's share of the pages (the rest are Home screens)",
    )
    capacity.add_argument(
        "--capacity-start",
        type=float,
        default=0.25,
        help="the search's first rate, as a share of the lecture-hour rate",
    )
    capacity.add_argument(
        "--capacity-precision",
        type=float,
        default=0.05,
        help="bisect until the failing rate is within this share of the passing one",
    )
    overload = parser.add_argument_group(
        "the overload test (bench/capacity.py): past capacity, with and without load shedding"
    )
    overload.add_argument(
        "--overload",
        action="store_true",
        help="run only the overload test (neither the ratios nor the capacity search)",
    )
    overload.add_argument(
        "--overload-factor", type=float, default=2.0, help="the rate, as a multiple of capacity"
    )
    overload.add_argument(
        "--overload-capacity",
        type=float,
        default=None,
        help="the capacity in req/s (default: the newest *-capacity.json in --output)",
    )
    overload.add_argument("--overload-duration", type=int, default=30, help="seconds at the rate")
    overload.add_argument(
        "--overload-no-compare",
        action="store_true",
        help="only with shedding on, not also with QUEUE_TIME_BUDGET_MS=off",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_big"
        ),
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6")
    )
    args = parser.parse_args(argv)
    if args.repeat < 3:
        parser.error("--repeat must be at least 3: the median of fewer says little")
    return args


# --- what is measured ------------------------------------------------------------------------


@dataclass
class Load:
    """One kind of request wrk repeats (or, with `pool`, a file of single-use requests)."""

    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    pool: bool = False
    # Run in this process before each run of the load (and before its check): the state the
    # load is measured in, e.g. the recordings kept in the shared cache or none.
    before: Callable[[], None] | None = None
    # Text the answer must contain for the measurement to be of what it claims to measure.
    expect_text: str = ""


@dataclass
class Pair:
    name: str
    endpoint: Load
    baseline: Load
    target: float
    note: str = ""
    # The target is this share of another pair's ratio in the same run (its name, share).
    relative_to: tuple[str, float] | None = None


@dataclass
class Subject:
    """The signed-in student the launches and pages are measured for."""

    username: str
    cookie: str  # sessionid=…; csrftoken=…
    csrf: str
    launch_path: str
    login_hint: str


def subject_prepare(username: str) -> Subject:
    """BENCH040 launching into a course of theirs whose folder (and its linked subject's)
    exists, so every launch issues an id_token as a Viewer."""
    from panopto_link.models import FolderState
    from virtualspaces.models import Membership, MembershipRole, SpaceType

    user, cookie, csrf = signed_in(username)
    membership = (
        Membership.objects.filter(
            user=user,
            role=MembershipRole.MEMBER,
            space__space_type=SpaceType.COURSE,
            space__panopto_folder__state=FolderState.CREATED,
            space__subject__panopto_folder__state=FolderState.CREATED,
        )
        .order_by("space_id")
        .first()
    )
    if membership is None:
        raise SystemExit(f"{username} has no course with created folders to launch into")
    return Subject(
        username=username,
        cookie=cookie,
        csrf=csrf,
        launch_path=paths.LAUNCH.format(space=membership.space_id),
        login_hint=str(user.lti_subject),
    )


class HintPool:
    """Authorization requests as the tool would send them after our login initiation: each made
    by a real initiation (the launch view, in this process), each usable once."""

    def __init__(self, subject: Subject) -> None:
        from django.test import Client

        self.subject = subject
        self.client = Client()
        self.client.cookies.load(subject.cookie)
        self.unused: collections.deque[str] = collections.deque()
        self.made = 0
        self.seconds = 0.0

    def grow(self, count: int) -> None:
        started = time.monotonic()
        for done in range(count):
            response = self.client.post(self.subject.launch_path)
            if response.status_code != 302:
                raise SystemExit(f"login initiation answered {response.status_code}")
            self.unused.append(authorization_request(response["Location"]))
            self.made += 1
            if done % 500 == 0:
                sys.stderr.write(f"\r  hints {done:,}/{count:,}")
        sys.stderr.write(f"\r  hints {count:,}/{count:,}\n")
        self.seconds += time.monotonic() - started

    def ensure(self, count: int) -> None:
        """At least `count` unused requests in the pool."""
        if len(self.unused) < count:
            self.grow(count - len(self.unused))

    def take(self, count: int) -> list[str]:
        self.ensure(count)
        return [self.unused.popleft() for _ in range(count)]

    def give_back(self, paths: list[str]) -> None:
        """Requests wrk certainly did not send, to be used by the next run."""
        self.unused.extendleft(reversed(paths))


class BenchRecordings:
    """The newest recordings of the subject's ready folders, kept in the shared cache as
    `panopto_confirm` keeps them (three per folder, with thumbnails), or none kept. The folders
    get Panopto ids first, as confirmed folders have."""

    SHOWN = 3

    def __init__(self, username: str) -> None:
        self.username = username
        self._ids: list[str] | None = None

    def ids(self) -> list[str]:
        if self._ids is None:
            from panopto_link.models import FolderLink, FolderState, PanoptoFolder
            from virtualspaces.models import Membership

            own = set(
                Membership.objects.filter(user__username=self.username).values_list(
                    "space_id", flat=True
                )
            )
            linked = set(
                FolderLink.objects.filter(course_id__in=own).values_list(
                    "linked_space_id", flat=True
                )
            )
            folders = PanoptoFolder.objects.filter(
                space_id__in=own | linked, state=FolderState.CREATED
            )
            for folder in folders.filter(panopto_id=""):
                folder.panopto_id = str(uuid.UUID(int=folder.pk))
                folder.save(update_fields=["panopto_id"])
            self._ids = sorted(folders.values_list("panopto_id", flat=True))
        return self._ids

    def keep(self) -> None:
        from bench.seed import PANOPTO
        from panopto_link.panopto_api import recordings

        now = datetime.datetime.now(datetime.UTC)
        for panopto_id in self.ids():
            recordings.recordings_keep(
                panopto_id,
                [
                    recordings.RecentRecording(
                        title=f"Előadás {number}: a félév {number}. hete",
                        start_time=now - datetime.timedelta(days=7 * number),
                        duration_seconds=5400 - number,
                        thumbnail_url=f"{PANOPTO}/Services/FrameGrabber.svc/x?id={panopto_id}",
                    )
                    for number in range(1, self.SHOWN + 1)
                ],
            )

    def forget(self) -> None:
        from core import shared_cache
        from panopto_link.panopto_api import recordings

        for panopto_id in self.ids():
            shared_cache.delete(recordings._key(panopto_id))


def pairs_for(subject: Subject, id_token_claims_bytes: int) -> list[Pair]:
    from django.urls import NoReverseMatch, reverse

    cookie = {"Cookie": subject.cookie}
    post = {**cookie, "X-CSRFToken": subject.csrf}
    pairs = [
        Pair(
            "authorization",
            Load("authorization", "GET", paths.AUTHORIZE, cookie, pool=True),
            Load("RS256 signature", "GET", f"/bench/sign/?size={id_token_claims_bytes}"),
            TARGETS["authorization"],
        ),
        Pair(
            "login initiation",
            Load("login initiation", "POST", subject.launch_path, post),
            Load("session user", "POST", "/bench/session-user/", post),
            TARGETS["login initiation"],
        ),
    ]
    try:
        # Every semester: the page opens on today's, and the 40 spaces span several.
        panopto_page = reverse(PANOPTO_PAGE_URL_NAME) + "?semester=all"
    except NoReverseMatch:
        panopto_page = None
    if panopto_page:
        recordings = BenchRecordings(subject.username)
        pairs.append(
            Pair(
                "Panopto page (40 spaces)",
                Load("Panopto page", "GET", panopto_page, cookie, before=recordings.forget),
                Load("bare page", "GET", "/bench/page/", cookie),
                TARGETS["Panopto page (40 spaces)"],
            )
        )
        pairs.append(
            Pair(
                RECORDINGS_PAGE,
                Load(
                    "Panopto page, recordings",
                    "GET",
                    panopto_page,
                    cookie,
                    before=recordings.keep,
                    expect_text="data-recent-recordings",
                ),
                Load("bare page", "GET", "/bench/page/", cookie),
                0.0,  # set from the page's ratio without recordings (summarise)
                relative_to=("Panopto page (40 spaces)", RECORDINGS_PAGE_SHARE),
            )
        )
    else:
        say(f"Studies → Information → Panopto ({PANOPTO_PAGE_URL_NAME}) is not in this checkout")
    pairs.append(
        Pair(
            "JWKS",
            Load("JWKS", "GET", paths.JWKS),
            Load("bare JSON", "GET", "/bench/json/"),
            TARGETS["JWKS"],
        )
    )
    return pairs


# --- queries, correctness, the id_token's size -----------------------------------------------


def request_in_process(load: Load, path: str | None = None):
    """The request through Django in this process, with the queries it made."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = dict(load.headers)
    cookie = headers.pop("Cookie", "")
    if cookie:
        client.cookies.load(cookie)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    with CaptureQueriesContext(connection) as queries:
        if load.method == "POST":
            response = client.post(path or load.path, **extra)
        else:
            response = client.get(path or load.path, **extra)
    return response, len(queries)


def id_token_of(html: str) -> str:
    match = re.search(rf'name="{paths.ID_TOKEN_FIELD}" value="([^"]+)"', html)
    if match is None:
        raise SystemExit("the authorization endpoint issued no id_token:\n" + html[:2000])
    return match.group(1)


def claims_bytes(id_token: str) -> int:
    payload = id_token.split(".")[1]
    return len(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def check_and_count(pairs: list[Pair], pool: HintPool) -> dict[str, dict[str, int]]:
    """Each endpoint answers as it should (the measurement would be worthless otherwise), and
    the number of queries a request makes once the process is warm (its second request: the
    first one also reads what a process keeps, such as the key set)."""
    expected = {"login initiation": 302}
    counts: dict[str, dict[str, int]] = {}
    for pair in pairs:
        counts[pair.name] = {}
        for load in (pair.endpoint, pair.baseline):
            if load.before is not None:
                load.before()
            for _warm in range(2):
                path = pool.take(1)[0] if load.pool else None
                response, count = request_in_process(load, path)
                status = expected.get(load.name, 200)
                if response.status_code != status:
                    raise SystemExit(f"{load.name} answered {response.status_code}, not {status}")
                if load.expect_text and load.expect_text not in response.content.decode():
                    raise SystemExit(f"{load.name}: the answer lacks {load.expect_text!r}")
                if load.pool:
                    id_token_of(response.content.decode())
            counts[pair.name][load.name] = count
    return counts


def panopto_page_queries(pairs: list[Pair]) -> dict | None:
    """The page's query count for 10 and for 40 spaces: constant when the selectors fetch
    everything up front."""
    page = next((pair for pair in pairs if pair.name.startswith("Panopto page")), None)
    if page is None:
        return None
    counts = {}
    for username, spaces in (("BENCH010", 10), ("BENCH040", 40)):
        _user, cookie, _csrf = signed_in(username)
        _response, counts[f"{spaces} spaces"] = request_in_process(
            Load(page.endpoint.name, "GET", page.endpoint.path, {"Cookie": cookie})
        )
    return {**counts, "constant": len(set(counts.values())) == 1}


# --- wrk -------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    non_2xx_3xx: int
    socket_errors: dict[str, int]  # connect, read, write, timeout
    load_average: tuple[float, float, float]

    @property
    def failed(self) -> bool:
        """A wrong answer, or a request that never got one. Read errors alone do not count:
        a synchronous worker closes each connection after its answer, which wrk may count."""
        errors = self.socket_errors
        return bool(self.non_2xx_3xx or errors["connect"] or errors["write"] or errors["timeout"])


def lua_script(load: Load, pool_file: Path | None) -> Path:
    """The wrk script: the method, the headers, and for a pool one request line per request,
    never one twice (a used-up pool asks for a page that does not exist, counted as an error)."""
    lines = [f'wrk.method = "{load.method}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in load.headers.items()]
    if pool_file is not None:
        lines += [
            "local paths = {}",
            f'for line in io.lines("{pool_file}") do paths[#paths + 1] = line end',
            "local next_path = 0",
            "request = function()",
            "  next_path = next_path + 1",
            '  return wrk.format(nil, paths[next_path] or "/bench/pool-used-up/")',
            "end",
        ]
    script = WORK / f"{re.sub(r'[^a-z0-9]+', '-', load.name.lower())}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(server: Server, load: Load, *, seconds: int, connections: int, pool_file=None):
    script = lua_script(load, pool_file)
    load_average = os.getloadavg()
    command = [
        *("wrk", "--threads", "1", "--connections", str(connections)),
        *("--duration", f"{seconds}s", "--latency", "--script", str(script)),
        # wrk's default of 2 s is shorter than a slow page takes on a busy machine; a request
        # that takes 10 s is a failure.
        *("--timeout", "10s"),
        server.url + (load.path if not load.pool else "/"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        latency_p50_ms=round(duration_ms(latency["50"]), 2) if "50" in latency else None,
        latency_p99_ms=round(duration_ms(latency["99"]), 2) if "99" in latency else None,
        non_2xx_3xx=int((re.search(r"Non-2xx or 3xx responses: (\d+)", output) or [0, 0])[1]),
        socket_errors=dict(
            zip(
                ("connect", "read", "write", "timeout"),
                (int(n) for n in errors.groups()) if errors else (0, 0, 0, 0),
                strict=True,
            )
        ),
        load_average=tuple(round(x, 2) for x in load_average),
    )


def authorizations_since(moment) -> dict[str, int]:
    from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage

    records = LaunchRecord.objects.filter(stage=LaunchStage.AUTHORIZATION, created_at__gte=moment)
    return {
        "accepted": records.filter(outcome=LaunchOutcome.ACCEPTED).count(),
        "refused": records.filter(outcome=LaunchOutcome.REFUSED).count(),
    }


class Runner:
    def __init__(self, server: Server, pool: HintPool, args: argparse.Namespace) -> None:
        self.server, self.pool, self.args = server, pool, args
        self.authorization_rate = 100.0  # a guess until the warm-up has measured it

    def run(self, load: Load, seconds: int) -> WrkResult:
        if load.before is not None:
            load.before()
        result = self._run_with_pool(load, seconds) if load.pool else self._wrk(load, seconds)
        if result.failed:
            raise SystemExit(f"{load.name}: errors under load: {result}")
        return result

    def _wrk(self, load: Load, seconds: int, pool_file: Path | None = None) -> WrkResult:
        return wrk(
            self.server,
            load,
            seconds=seconds,
            connections=self.args.connections,
            pool_file=pool_file,
        )

    def pool_needed(self, seconds: int) -> int:
        """Fresh requests for a run: half as many again as the last rate would use."""
        return math.ceil(self.authorization_rate * seconds * 1.5) + 100

    def pool_ready(self, seconds: int) -> None:
        """Make the fresh requests of a run beforehand (a profiler should not see it)."""
        self.pool.ensure(self.pool_needed(seconds))

    def _run_with_pool(self, load: Load, seconds: int) -> WrkResult:
        """Give wrk more fresh requests than it can send; when it sends them all anyway (the
        server was faster than thought), run again with more."""
        from django.utils import timezone

        pool_file = WORK / "pool.txt"
        for _attempt in range(3):
            needed = self.pool_needed(seconds)
            taken = self.pool.take(needed)
            pool_file.write_text("\n".join(taken) + "\n")
            started = timezone.now()
            result = self._wrk(load, seconds, pool_file)
            outcome = authorizations_since(started)
            if outcome["refused"]:
                raise SystemExit(f"hints were refused under load: {outcome}")
            if result.non_2xx_3xx == 0:
                # wrk counts answered requests; each connection may have sent one more that
                # the end of the run cut off. The rest were never sent.
                self.pool.give_back(taken[result.requests + 2 * self.args.connections + 10 :])
                self.authorization_rate = result.requests_per_second
                return result
            # Once the fresh requests are spent, wrk sends spent ones, refused fast: its rate
            # counts those refusals and says nothing of the authorization's. What is known is
            # that the fresh ones lasted less than the run.
            say(f"  the pool of {needed} ran out within {seconds} s; again")
            self.authorization_rate = 2 * max(self.authorization_rate, needed / seconds)
        raise SystemExit("the hint pool kept running out")


# Where a worker's time goes, by the first of these found on a sampled stack (innermost first).
PROFILE_GROUPS = (
    ("signing and encryption", ("jwt/algorithms.py", "cryptography/")),
    ("PostgreSQL round trips", ("psycopg/",)),
    ("Redis round trips", ("redis/",)),
    ("SQL compilation (ORM)", ("django/db/models/sql/",)),
    ("templates", ("django/template/",)),
)


def profile_shares(speedscope: Path) -> dict[str, float]:
    """Shares of a worker's wall time (py-spy samples, idle included) spent serving requests,
    waiting for one, and in each group above while serving."""
    data = json.loads(speedscope.read_text())
    frames = [frame.get("file", "") for frame in data["shared"]["frames"]]
    profile = data["profiles"][0]
    shares: dict[str, float] = {}
    total = 0.0
    for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
        total += weight
        files = [frames[index] for index in stack]
        if not any(file.endswith("django/core/handlers/wsgi.py") for file in files):
            shares["waiting for a request"] = shares.get("waiting for a request", 0) + weight
            continue
        shares["serving requests"] = shares.get("serving requests", 0) + weight
        group = next(
            (
                name
                for file in reversed(files)
                for name, markers in PROFILE_GROUPS
                if any(marker in file for marker in markers)
            ),
            "other Python (Django, views, middleware)",
        )
        shares[group] = shares.get(group, 0) + weight
    return {name: round(value / total, 3) for name, value in shares.items()} if total else {}


def profile_endpoints(pairs: list[Pair], runner: Runner, server: Server, seconds: int) -> dict:
    """One more run of each endpoint with py-spy sampling a worker (without stopping it); the
    flame graphs stay in bench/.work/profiles/ (open them in https://www.speedscope.app)."""
    directory = WORK / "profiles"
    directory.mkdir(exist_ok=True)
    result = {}
    for pair in pairs:
        output = directory / f"{re.sub(r'[^a-z0-9]+', '-', pair.name.lower())}.speedscope.json"
        if pair.endpoint.pool:
            runner.pool_ready(seconds)
        spy = subprocess.Popen(
            [
                *(str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking"),
                *("--idle", "--rate", "200", "--format", "speedscope", "--output", str(output)),
                *("--duration", str(seconds), "--pid", str(server.workers()[0])),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runner.run(pair.endpoint, seconds)
        spy.wait(timeout=seconds + 60)
        if spy.returncode == 0 and output.exists():
            result[pair.name] = profile_shares(output)
            say(f"  profiled {pair.name}: {result[pair.name]}")
        else:
            say(f"  py-spy could not sample {pair.name} (needs ptrace; run as root)")
    return result


def measure(pairs: list[Pair], runner: Runner, args: argparse.Namespace) -> dict:
    say(f"Warming up ({args.warmup} s each)")
    for pair in pairs:
        for load in (pair.baseline, pair.endpoint):
            runner.run(load, args.warmup)
    runs: dict[str, dict[str, list[WrkResult]]] = {
        p.name: {"endpoint": [], "baseline": []} for p in pairs
    }
    if any(pair.endpoint.pool for pair in pairs):
        # Every authorization request of the measured runs is made now, at the rate the
        # warm-up measured, so that no run waits for them between a baseline and its endpoint.
        say("Making the authorization requests of the measured runs")
        runner.pool.ensure(runner.pool_needed(args.duration) * args.repeat)
    for repetition in range(1, args.repeat + 1):
        for pair in pairs:
            # Baseline first in odd repetitions, endpoint first in even ones: a steady rise or
            # fall of the machine's other load favours neither.
            order = [("baseline", pair.baseline), ("endpoint", pair.endpoint)]
            for side, load in order if repetition % 2 else order[::-1]:
                result = runner.run(load, args.duration)
                runs[pair.name][side].append(result)
                say(
                    f"  {repetition}/{args.repeat} {load.name:<18}"
                    f" {result.requests_per_second:8.1f} req/s  p50 {result.latency_p50_ms:6.2f} ms"
                    f"  load {result.load_average[0]:.2f}"
                )
    return runs


# --- results ---------------------------------------------------------------------------------


def median_or_none(values) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def summarise(pairs, runs, counts) -> list[dict]:
    summary = []
    for pair in pairs:
        sides = {}
        for side, load in (("endpoint", pair.endpoint), ("baseline", pair.baseline)):
            results = runs[pair.name][side]
            sides[side] = {
                "name": load.name,
                "method": load.method,
                "path": load.path,
                "requests_per_second": round(
                    statistics.median(r.requests_per_second for r in results), 1
                ),
                "latency_p50_ms": median_or_none(r.latency_p50_ms for r in results),
                "latency_p99_ms": median_or_none(r.latency_p99_ms for r in results),
                "queries": counts[pair.name][load.name],
                "runs": [asdict(r) for r in results],
            }
        # Each repetition measures the baseline and the endpoint back to back: their ratio is
        # taken per repetition, where the machine's other load is most alike.
        ratios = [
            e.requests_per_second / b.requests_per_second
            for e, b in zip(runs[pair.name]["endpoint"], runs[pair.name]["baseline"], strict=True)
        ]
        ratio = statistics.median(ratios)
        target = pair.target
        if pair.relative_to is not None:
            other, share = pair.relative_to
            found = next((entry for entry in summary if entry["name"] == other), None)
            target = round(found["ratio"] * share, 3) if found else target
        summary.append(
            {
                "name": pair.name,
                "ratio": round(ratio, 3),
                "target": target,
                "met": ratio >= target,
                "ratios_per_repetition": [round(r, 3) for r in ratios],
                **sides,
            }
        )
    return summary


def markdown_table(result: dict) -> str:
    rows = [
        "| endpoint | req/s | baseline | req/s | ratio | target | queries (endpoint / baseline) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for entry in result["endpoints"]:
        e, b = entry["endpoint"], entry["baseline"]
        mark = "✓" if entry["met"] else "✗"
        rows.append(
            f"| {entry['name']} | {e['requests_per_second']:.0f} | {b['name']} |"
            f" {b['requests_per_second']:.0f} | **{entry['ratio']:.2f}** {mark} |"
            f" ≥ {entry['target']} | {e['queries']} / {b['queries']} |"
        )
    memory = result["worker_memory"]
    rows.append(
        f"| worker peak RSS | {memory['max_peak_rss_mib']:.0f} MiB | | | |"
        f" ≤ {memory['target_mib']} MiB {'✓' if memory['met'] else '✗'} | |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(args)
    os.environ.update(env)
    database_ensure(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    from bench.seed import Size, seed_institute

    say("Migrating")
    call_command("migrate", verbosity=0)
    seeding = seed_institute(Size(args.users, args.spaces, args.memberships), force=args.reseed)
    if not seeding.seeded_now:
        say(f"Already seeded at this size on {seeding.seeded_at} (took {seeding.seconds:.1f} s)")
    if args.seed_only:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    seeding_summary = {
        **asdict(seeding.size),
        "seconds": round(seeding.seconds, 1),
        "seeded_in_this_run": seeding.seeded_now,
        "seeded_at": seeding.seeded_at,
    }
    if args.overload:
        overload_measure(args, env, seeding_summary)
        return
    if not args.capacity_only:
        ratios_measure(args, env, seeding_summary)
    if not args.no_capacity:
        capacity_measure(args, env, seeding_summary)


def capacity_measure(args: argparse.Namespace, env: dict[str, str], seeding: dict) -> None:
    """The capacity test of the lecture-hour rush (bench/capacity.py), in a file of its own."""
    from bench.capacity import capacity_test, markdown
    from bench.chart import capacity_chart

    result = {**capacity_test(args, env, seeded_users=seeding["users"]), "seeding": seeding}
    args.output.mkdir(parents=True, exist_ok=True)
    json_path = args.output / f"{result['date']}-capacity.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    png_path = capacity_chart(result, args.output / f"{result['date']}-capacity.png")
    print(markdown(result))
    say(f"Wrote {json_path} and {png_path} ({result['duration_s']:.0f} s)")


def overload_measure(args: argparse.Namespace, env: dict[str, str], seeding: dict) -> None:
    """The overload test (bench/capacity.py), in <date>-overload.json."""
    from bench.capacity import overload_markdown, overload_test

    result = {**overload_test(args, env, seeded_users=seeding["users"]), "seeding": seeding}
    args.output.mkdir(parents=True, exist_ok=True)
    json_path = args.output / f"{result['date']}-overload.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(overload_markdown(result))
    say(f"Wrote {json_path} ({result['duration_s']:.0f} s)")


def ratios_measure(args: argparse.Namespace, env: dict[str, str], seeding: dict) -> None:
    """Each endpoint against its bare baseline, with wrk: <date>.json and .png."""
    from bench.chart import chart

    started_at = datetime.datetime.now(datetime.UTC)
    launch_data_reset()
    subject = subject_prepare("BENCH040")
    pool = HintPool(subject)
    say("Making authorization requests by real login initiations")
    pool.grow(200)
    response, _ = request_in_process(
        Load("authorization", "GET", paths.AUTHORIZE, {"Cookie": subject.cookie}),
        pool.take(1)[0],
    )
    pairs = pairs_for(subject, claims_bytes(id_token_of(response.content.decode())))
    if args.only:
        pairs = [pair for pair in pairs if args.only in pair.name]
        if not pairs:
            raise SystemExit(f"no endpoint's name contains {args.only!r}")
    counts = check_and_count(pairs, pool)
    page_queries = panopto_page_queries(pairs)

    say(f"Starting gunicorn with {args.workers} workers")
    server = Server(env, args.workers)
    try:
        runner = Runner(server, pool, args)
        runs = measure(pairs, runner, args)
        memory = server.worker_memory()
        profiles = None
        if args.profile:
            say("Profiling each endpoint with py-spy")
            profiles = profile_endpoints(pairs, runner, server, args.duration)
    finally:
        server.stop()

    peak = max(worker["peak_rss_mib"] for worker in memory)
    result = {
        "date": started_at.date().isoformat(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "method": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "repeat": args.repeat,
            "connections": args.connections,
            "gunicorn_workers": args.workers,
            "wrk_threads": 1,
            "ratio": "median over repetitions of endpoint req/s ÷ baseline req/s, measured back"
            " to back on the same server",
            "lti_message_hint_max_age_s": HINT_MAX_AGE,
            "hints_made_by_initiation": pool.made,
            "hint_making_seconds": round(pool.seconds, 1),
        },
        "seeding": seeding,
        "endpoints": summarise(pairs, runs, counts),
        "panopto_page_queries": page_queries,
        "profiles": profiles,
        "worker_memory": {
            "workers": memory,
            "max_peak_rss_mib": peak,
            "target_mib": WORKER_PEAK_RSS_TARGET_MB,
            "met": peak <= WORKER_PEAK_RSS_TARGET_MB,
        },
    }
    args.output.mkdir(parents=True, exist_ok=True)
    # A run of some endpoints only (--only) is named after them: it never hides a whole run.
    stem = result["date"] + (
        f"-{re.sub(r'[^a-z0-9]+', '-', args.only.lower())}" if args.only else ""
    )
    result["only"] = args.only or None
    json_path = args.output / f"{stem}.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    png_path = chart(result, args.output / f"{stem}.png")
    print(markdown_table(result))
    say(f"Wrote {json_path} and {png_path}")


if __name__ == "__main__":
    main()

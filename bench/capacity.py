"""The capacity test of the lecture-hour rush: the highest arrival rate at which the portal, on
two gunicorn workers with the production settings, PostgreSQL and Redis, answers every request
of the lecture-hour mix correctly with a p95 under 300 ms; and its latencies at the lecture-hour
rate itself, 50 Panopto pages and 17 launches a second.

- An open model. locust (bench/locustfile.py) sends each request when it is due, at a fixed
  arrival rate, whatever became of the earlier ones: above its capacity the server's queue
  grows as it would in a real rush, and latency counts from the moment a request was due.
- The mix at every rate is the lecture hour's, scaled: of every 84 requests, 30 Panopto pages
  (Studies → Information → Panopto), 20 space Home screens, 17 login initiations and 17
  authorizations (a launch is one of each). The page share is split 60/40 by default
  (--capacity-panopto-share): the Panopto page is the menu item that lists every folder of a
  student's, the way the SPEC names first; the Home screen is where a student already in a
  space's page clicks Continue to the Panopto system.
- Many users. A few thousand people of the seeded institute (students and lecturers as they
  come), each signed in with a session of their own; every request picks its person, and its
  space among theirs, at random (a seeded generator). Initiations and authorizations go only to
  spaces whose folder is created, so no launch changes a folder's state.
- Hints are single use: before each step the authorizations it will send are made by real login
  initiations over HTTP (the bench server accepts hints for two hours).
- The search: up from a quarter of the lecture-hour rate by half again each step until a step
  fails, then bisection between the highest passing and the lowest failing rate. A step passes
  when no request failed (a wrong answer, an error, or no answer in 10 s) and every kind's p95
  is under 300 ms. Then one longer step at the lecture-hour rate, whatever the search found.
"""

import argparse
import collections
import concurrent.futures
import datetime
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import paths
from bench.common import (
    WORK,
    Server,
    authorization_request,
    git_commit,
    launch_data_reset,
    machine,
    say,
    signed_in,
)

LECTURE_HOUR_PAGES = 50.0  # per second: Panopto pages and Home screens together
LECTURE_HOUR_LAUNCHES = 17.0  # per second: each one login initiation and one authorization
P95_LIMIT_MS = 300.0
TIMEOUT_S = 10.0  # a request unanswered this long has failed
KINDS = ("Panopto page", "Home screen", "login initiation", "authorization")
# The search goes up by this factor a step, from --capacity-start, and no further than this
# multiple of the lecture-hour rate.
STEP_FACTOR = 1.5
CEILING = 8.0
SETTLE_S = 2.0  # between making a step's hints and starting it
TIMELINE_WINDOW_S = 5


def lecture_hour_mix(panopto_share: float) -> dict[str, float]:
    """Requests per second of each kind at the lecture-hour rate."""
    return {
        "Panopto page": LECTURE_HOUR_PAGES * panopto_share,
        "Home screen": LECTURE_HOUR_PAGES * (1 - panopto_share),
        "login initiation": LECTURE_HOUR_LAUNCHES,
        "authorization": LECTURE_HOUR_LAUNCHES,
    }


def interleave(weights: dict[str, float], count: int) -> list[str]:
    """`count` kinds in the proportions of `weights`, spread evenly (smooth weighted round
    robin): every stretch of a step carries the mix, not one kind after another."""
    total = sum(weights.values())
    current = dict.fromkeys(weights, 0.0)
    order = []
    for _ in range(count):
        for kind, weight in weights.items():
            current[kind] += weight
        chosen = max(current, key=current.__getitem__)
        current[chosen] -= total
        order.append(chosen)
    return order


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Person:
    """A signed-in user of the seeded institute, with the spaces the bench may send them to."""

    username: str
    cookie: str  # sessionid=…; csrftoken=…
    csrf: str
    spaces: list[int]  # every space of theirs: Home screens
    launchable: list[int]  # those whose folder is created: launches


def people_sign_in(count: int, users: int, rng: random.Random) -> list[Person]:
    """`count` people drawn from the seeded institute (not the bench's two measured users),
    each signed in with a session of their own."""
    from bench.seed import BENCH_USERS, folder_created
    from portal.models import User
    from virtualspaces.models import Membership

    ids = rng.sample(range(1, users - len(BENCH_USERS) + 1), count)
    spaces: dict[int, list[int]] = collections.defaultdict(list)
    for user_id, space_id in Membership.objects.filter(user_id__in=ids).values_list(
        "user_id", "space_id"
    ):
        spaces[user_id].append(space_id)
    usernames = dict(User.objects.filter(id__in=ids).values_list("id", "username"))
    people = []
    for done, user_id in enumerate(sorted(ids)):
        mine = sorted(spaces[user_id])
        launchable = [space for space in mine if folder_created(space)]
        if not launchable:
            continue
        _user, cookie, csrf = signed_in(usernames[user_id])
        people.append(Person(usernames[user_id], cookie, csrf, mine, launchable))
        if done % 200 == 0:
            sys.stderr.write(f"\r  signed in {done:,}/{count:,}")
    sys.stderr.write(f"\r  signed in {len(people):,} people\n")
    return people


def initiation(person: Person, space: int) -> list:
    """A login initiation as the locustfile sends it: kind, method, path, headers."""
    return [
        "login initiation",
        "POST",
        paths.LAUNCH.format(space=space),
        {"Cookie": person.cookie, "X-CSRFToken": person.csrf},
    ]


def authorizations_make(
    server: Server, people: list[Person], count: int, rng: random.Random
) -> list[list]:
    """`count` authorization requests, each made by a real login initiation over HTTP (four at
    a time) for a person and space drawn at random, sent later with that person's session."""
    import requests

    from bench.seed import LOGIN_URL

    chosen = [rng.choice(people) for _ in range(count)]
    launches = [(person, rng.choice(person.launchable)) for person in chosen]

    def make(launch: tuple[Person, int]) -> list:
        person, space = launch
        _kind, method, path, headers = initiation(person, space)
        # The timeout waits out what an overloaded step left in the server's queue.
        response = requests.request(
            method,
            server.url + path,
            headers=headers,
            allow_redirects=False,
            timeout=120,
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(LOGIN_URL):
            raise SystemExit(
                f"the login initiation of {person.username} into space {space} answered"
                f" {response.status_code} {location[:100]}"
            )
        return ["authorization", "GET", authorization_request(location), {"Cookie": person.cookie}]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(make, launches))


def expectations() -> dict[str, dict]:
    """What a correct answer of each kind is."""
    from bench.seed import LOGIN_URL

    return {
        "Panopto page": {"status": 200},
        "Home screen": {"status": 200},
        "login initiation": {"status": 302, "location_prefix": LOGIN_URL},
        "authorization": {"status": 200, "contains": f'name="{paths.ID_TOKEN_FIELD}"'},
    }


# --- where the machine's CPU went ------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (/proc/stat), all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds each process has used so far (gone processes are left out)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def children_cpu_seconds() -> float:
    """CPU seconds used by this process's ended children (the locust processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def database_backends(database: str) -> list[int]:
    """PostgreSQL's processes serving `database` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """How many cores, on average over a step, the machine was busy, and for whom: the
    gunicorn workers, the PostgreSQL backends of the bench's database, the locust process, and
    everything else — other jobs on a shared machine, Redis, PostgreSQL's own background
    processes. A step that failed while `other` was high says little about the app."""

    def __init__(self, server: Server, database: str) -> None:
        self.server, self.database = server, database

    def _snapshot(self) -> tuple[float, float, dict[int, float], dict[int, float]]:
        return (
            time.monotonic(),
            machine_busy_seconds(),
            process_seconds([self.server.process.pid, *self.server.workers()]),
            process_seconds(database_backends(self.database)),
        )

    def start(self) -> None:
        self.before = self._snapshot()

    def stop(self, generator_cpu_s: float) -> dict[str, float]:
        after = self._snapshot()
        seconds = after[0] - self.before[0]

        def used(index: int) -> float:
            return sum(
                value - self.before[index].get(pid, 0.0) for pid, value in after[index].items()
            )

        machine, server, database = after[1] - self.before[1], used(2), used(3)
        return {
            "machine_busy_cores": round(machine / seconds, 2),
            "gunicorn_cores": round(server / seconds, 2),
            "postgresql_cores": round(database / seconds, 2),
            "generator_cores": round(generator_cpu_s / seconds, 2),
            "other_cores": round(
                max(0.0, machine - server - database - generator_cpu_s) / seconds, 2
            ),
        }


# --- one step --------------------------------------------------------------------------------


def access_log_since(log: Path, offset: int) -> tuple[dict[str, list[float]], int]:
    """The server's own time (gunicorn's access log, duration_ms) for each kind of request
    logged after `offset` — the time a worker spent on a request, without its wait in the
    queue — and the number of ERROR lines logged since."""
    kinds = {
        paths.PANOPTO_PAGE: "Panopto page",
        paths.AUTHORIZE: "authorization",
    }
    launch_prefix = paths.LAUNCH.split("{", 1)[0]
    home_prefix = paths.SPACE_HOME.split("{", 1)[0]
    durations: dict[str, list[float]] = collections.defaultdict(list)
    errors = 0
    with log.open("rb") as file:
        file.seek(offset)
        for line in file:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("level") == "ERROR":
                errors += 1
            if entry.get("message") != "request":
                continue
            path = entry.get("path", "")
            kind = kinds.get(path)
            if kind is None and path.startswith(launch_prefix):
                kind = "login initiation"
            elif kind is None and path.startswith(home_prefix):
                kind = "Home screen"
            if kind:
                durations[kind].append(float(entry["duration_ms"]))
    return durations, errors


def latency_summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "p50_ms": percentile(ordered, 0.50),
        "p95_ms": percentile(ordered, 0.95),
        "p99_ms": percentile(ordered, 0.99),
        "max_ms": ordered[-1] if ordered else None,
    }


def summarise_step(outcome: dict, server_times: dict[str, list[float]], error_lines: int) -> dict:
    samples = outcome["samples"]
    by_kind = {}
    for kind in KINDS:
        mine = [s for s in samples if s[0] == kind]
        if not mine:
            continue
        own = sorted(server_times.get(kind, []))
        by_kind[kind] = {
            "requests": len(mine),
            "failed": sum(1 for s in mine if s[5]),
            **latency_summary([s[3] for s in mine]),
            "server_p50_ms": percentile(own, 0.50),
            "server_p95_ms": percentile(own, 0.95),
        }
    failures = collections.Counter(f"{s[0]}: {s[5]}" for s in samples if s[5])
    if outcome["unfinished"]:
        failures["unfinished when the step ended"] = outcome["unfinished"]
    lags = sorted(s[2] for s in samples)
    served = sum(1 for s in samples if not s[5])
    last_answer_s = max((s[1] + s[3] for s in samples), default=0) / 1000
    timeline = []
    window_ms = TIMELINE_WINDOW_S * 1000
    for start in range(0, math.ceil(max((s[1] for s in samples), default=0) / window_ms)):
        mine = [s for s in samples if start * window_ms <= s[1] < (start + 1) * window_ms]
        ordered = sorted(s[3] for s in mine)
        timeline.append(
            {
                "from_s": start * TIMELINE_WINDOW_S,
                "requests": len(mine),
                "failed": sum(1 for s in mine if s[5]),
                "p50_ms": percentile(ordered, 0.50),
                "p95_ms": percentile(ordered, 0.95),
            }
        )
    p95_by_kind = [entry["p95_ms"] for entry in by_kind.values()]
    failed = sum(failures.values())
    return {
        "requests": outcome["planned"],
        "failed": failed,
        "error_rate": round(failed / outcome["planned"], 4) if outcome["planned"] else 0,
        "failures": dict(failures),
        "latency": latency_summary([s[3] for s in samples]),
        "worst_p95_ms": max(p95_by_kind) if p95_by_kind else None,
        "by_kind": by_kind,
        "served_per_s": round(served / last_answer_s, 1) if last_answer_s else 0,
        "server_error_log_lines": error_lines,
        "generator": {
            "lag_p99_ms": percentile(lags, 0.99),
            "lag_max_ms": lags[-1] if lags else None,
            "cpu_share_of_a_core": round(outcome["generator_cpu_s"] / outcome["wall_s"], 3),
            "sending_s": outcome["sending_s"],
            "wall_s": outcome["wall_s"],
        },
        "passed": failed == 0 and all(p95 < P95_LIMIT_MS for p95 in p95_by_kind),
        # By when the requests were due: a queue that grows through the step shows here.
        "timeline": timeline,
    }


class Stepper:
    """Runs steps: a rate of the lecture-hour mix for some seconds, against one server."""

    def __init__(
        self, server: Server, people: list[Person], mix: dict[str, float], seed: int, database: str
    ) -> None:
        self.server, self.people, self.mix = server, people, mix
        self.cpu = CpuMeter(server, database)
        self.rng = random.Random(seed)
        self.lecture_hour_rate = sum(mix.values())
        self.hint_seconds = 0.0
        self.hints_made = 0

    def arrivals(self, kinds: list[str]) -> list[list]:
        made = iter(self._authorizations(sum(1 for kind in kinds if kind == "authorization")))
        arrivals = []
        for kind in kinds:
            person = self.rng.choice(self.people)
            cookie = {"Cookie": person.cookie}
            if kind == "Panopto page":
                arrivals.append([kind, "GET", paths.PANOPTO_PAGE, cookie])
            elif kind == "Home screen":
                space = self.rng.choice(person.spaces)
                arrivals.append([kind, "GET", paths.SPACE_HOME.format(space=space), cookie])
            elif kind == "login initiation":
                arrivals.append(initiation(person, self.rng.choice(person.launchable)))
            else:
                arrivals.append(next(made))
        return arrivals

    def _authorizations(self, count: int) -> list[list]:
        started = time.monotonic()
        made = authorizations_make(self.server, self.people, count, self.rng)
        self.hint_seconds += time.monotonic() - started
        self.hints_made += count
        return made

    def run(self, rate: float, seconds: float, label: str) -> dict:
        rate = round(rate, 1)
        count = max(1, round(rate * seconds))
        arrivals = self.arrivals(interleave(self.mix, count))
        plan = WORK / "capacity-plan.json"
        outcome_file = WORK / "capacity-outcome.json"
        outcome_file.unlink(missing_ok=True)
        plan.write_text(
            json.dumps(
                {
                    "host": self.server.url,
                    "rate": rate,
                    "timeout_s": TIMEOUT_S,
                    "expect": expectations(),
                    "arrivals": arrivals,
                }
            )
        )
        time.sleep(SETTLE_S)
        log_offset = self.server.log.stat().st_size
        load_start = os.getloadavg()
        started_at = datetime.datetime.now(datetime.UTC)
        self.cpu.start()
        locust_cpu = children_cpu_seconds()
        locust_run(plan, outcome_file, self.server.url, seconds)
        # The locust process's own CPU, its start included (it has ended and been waited for).
        locust_cpu = children_cpu_seconds() - locust_cpu
        load_end = os.getloadavg()
        if not outcome_file.exists():
            raise SystemExit(f"locust wrote no outcome: see {WORK / 'locust.log'}")
        outcome = json.loads(outcome_file.read_text())
        cpu = self.cpu.stop(locust_cpu)
        step = {
            "label": label,
            "rate": rate,
            "lecture_hour_share": round(rate / self.lecture_hour_rate, 3),
            "per_second": {
                kind: round(rate * w / self.lecture_hour_rate, 2) for kind, w in self.mix.items()
            },
            "duration_s": seconds,
            "started_at": started_at.isoformat(timespec="seconds"),
            "load_average": {
                "start": [round(x, 2) for x in load_start],
                "end": [round(x, 2) for x in load_end],
            },
            "cpu": cpu,
            **summarise_step(outcome, *access_log_since(self.server.log, log_offset)),
        }
        latency = step["latency"]
        say(
            f"  {label:<13} {rate:6.1f} req/s ({step['lecture_hour_share']:4.0%} of the lecture"
            f" hour)  p50 {latency['p50_ms']:7.1f}  p95 {latency['p95_ms']:7.1f}"
            f"  p99 {latency['p99_ms']:7.1f} ms  worst kind p95 {step['worst_p95_ms']:7.1f} ms"
            f"  failed {step['failed']:4}  load {load_start[0]:.2f}"
            f"  other jobs {cpu['other_cores']:.2f} cores"
            f"  {'pass' if step['passed'] else 'FAIL'}"
        )
        return step


def locust_run(plan: Path, outcome: Path, host: str, seconds: float) -> None:
    """One locust process for one step; its own summary goes to bench/.work/locust.log."""
    command = [
        *(str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py"),
        *("--headless", "--users", "1", "--spawn-rate", "1", "--host", host),
        # A safety net only: the clock stops the run once its plan has been answered.
        *("--run-time", f"{math.ceil(seconds + TIMEOUT_S + 60)}s", "--stop-timeout", "15"),
        *("--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"),
        *("--plan", str(plan), "--outcome", str(outcome)),
    ]
    with (WORK / "locust.log").open("ab") as log:
        subprocess.run(
            command,
            cwd=Path(__file__).resolve().parent.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=seconds + TIMEOUT_S + 120,
        )


# --- the search ------------------------------------------------------------------------------


def search(stepper: Stepper, args: argparse.Namespace) -> dict:
    """Up by STEP_FACTOR until a step fails (down by it when the first fails), then bisection
    until the failing rate is within --capacity-precision of the passing one."""
    steps = []
    passing: float | None = None
    failing: float | None = None
    lecture_hour = stepper.lecture_hour_rate

    def step(rate: float, label: str) -> bool:
        result = stepper.run(rate, args.capacity_step_duration, label)
        steps.append(result)
        return result["passed"]

    rate = round(args.capacity_start * lecture_hour, 1)
    while failing is None and rate <= CEILING * lecture_hour:
        if step(rate, "step up"):
            passing = rate
            rate = round(rate * STEP_FACTOR, 1)
        else:
            failing = rate
    while passing is None and rate >= 1:
        rate = round(rate / STEP_FACTOR, 1)
        if step(rate, "step down"):
            passing = rate
        else:
            failing = rate
    while (
        passing is not None
        and failing is not None
        and failing / passing > 1 + args.capacity_precision
    ):
        rate = round((passing + failing) / 2, 1)
        if rate in (passing, failing):
            break
        if step(rate, "bisection"):
            passing = rate
        else:
            failing = rate
    return {
        "highest_passing_rate": passing,
        "lowest_failing_rate": failing,
        "highest_passing_share_of_lecture_hour": (
            round(passing / lecture_hour, 3) if passing is not None else None
        ),
        "highest_passing_per_second": (
            {kind: round(passing * w / lecture_hour, 1) for kind, w in stepper.mix.items()}
            if passing is not None
            else None
        ),
        "steps": steps,
    }


def capacity_test(args: argparse.Namespace, env: dict[str, str], seeded_users: int) -> dict:
    """The whole capacity test against a server of its own; returns its result."""
    started = time.monotonic()
    started_at = datetime.datetime.now(datetime.UTC)
    launch_data_reset()
    say(f"Capacity test: signing in {args.capacity_people:,} people")
    rng = random.Random(20261201)  # reproducible choices, not secrets
    people = people_sign_in(args.capacity_people, seeded_users, rng)
    mix = lecture_hour_mix(args.capacity_panopto_share)
    say(f"Starting gunicorn with {args.workers} workers")
    # Production's per-user limit on launch clicks, not the ratio runs' raised one: many
    # people click here, each a few times at most.
    server = Server(env, args.workers, unset=("RATE_LIMIT_LAUNCH",))
    try:
        stepper = Stepper(
            server, people, mix, seed=rng.randrange(2**32), database=database_name(args)
        )
        preparing_s = time.monotonic() - started
        say(f"Warming up ({args.capacity_warmup} s)")
        warm_up = stepper.run(
            args.capacity_start * stepper.lecture_hour_rate, args.capacity_warmup, "warm-up"
        )
        say(
            f"Searching for the highest rate with p95 < {P95_LIMIT_MS:.0f} ms and no failure"
            f" ({args.capacity_step_duration} s a step)"
        )
        found = search(stepper, args)
        say(f"The lecture-hour rate ({args.capacity_lecture_duration} s)")
        lecture = stepper.run(
            stepper.lecture_hour_rate, args.capacity_lecture_duration, "lecture hour"
        )
        memory = server.worker_memory()
    finally:
        server.stop()
    lecture_hour_rate = stepper.lecture_hour_rate
    return {
        "date": started_at.date().isoformat(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "preparing_s": round(preparing_s, 1),
        "commit": git_commit(),
        "machine": {
            **machine(),
            "note": "locust, PostgreSQL, Redis and gunicorn share the machine's cores",
        },
        "method": {
            "model": "open: each request sent when due at a fixed arrival rate (evenly spaced),"
            " whatever became of the earlier ones; latency counts from when it was due",
            "tool": f"locust {locust_version()} (bench/locustfile.py: one clock user,"
            " a greenlet and a new connection per request)",
            "gunicorn_workers": args.workers,
            "settings": "production (bench.settings, production's launch rate limit),"
            " PostgreSQL, Redis",
            "people": len(people),
            "lecture_hour_per_second": {kind: round(rate, 2) for kind, rate in mix.items()},
            "lecture_hour_rate": lecture_hour_rate,
            "panopto_share_of_pages": args.capacity_panopto_share,
            "pass": f"no failed request (a wrong answer, an error or no answer within"
            f" {TIMEOUT_S:g} s) and every kind's p95 < {P95_LIMIT_MS:g} ms",
            "search": f"from {args.capacity_start:g} × the lecture-hour rate up by"
            f" × {STEP_FACTOR:g} a step until one fails, then bisection to within"
            f" {args.capacity_precision:.0%}",
            "step_s": args.capacity_step_duration,
            "warm_up_s": args.capacity_warmup,
            "lecture_hour_s": args.capacity_lecture_duration,
            "timeout_s": TIMEOUT_S,
            "hints_made_by_initiation": stepper.hints_made,
            "hint_making_s": round(stepper.hint_seconds, 1),
        },
        "target": {
            "lecture_hour_rate": lecture_hour_rate,
            "p95_limit_ms": P95_LIMIT_MS,
            "met": lecture["passed"],
            "capacity_share_of_lecture_hour": found["highest_passing_share_of_lecture_hour"],
        },
        "search": {key: value for key, value in found.items() if key != "steps"},
        "steps": found["steps"],
        "warm_up": warm_up,
        "lecture_hour": lecture,
        "worker_memory": memory,
    }


def database_name(args: argparse.Namespace) -> str:
    import dj_database_url

    return dj_database_url.parse(args.database_url)["NAME"]


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def markdown(result: dict) -> str:
    """The steps and the lecture-hour rate as Markdown tables."""

    def ms(value: float | None) -> str:
        return "–" if value is None else f"{value:,.0f}"

    rows = [
        "| step | req/s | of the lecture hour | served/s | p50 ms | p95 ms | p99 ms"
        " | worst kind's p95 ms | failed | load average | other jobs' cores | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for step in [*result["steps"], result["lecture_hour"]]:
        latency = step["latency"]
        rows.append(
            f"| {step['label']} | {step['rate']:.1f} | {step['lecture_hour_share']:.0%} |"
            f" {step['served_per_s']:.1f} |"
            f" {ms(latency['p50_ms'])} | {ms(latency['p95_ms'])} | {ms(latency['p99_ms'])} |"
            f" {ms(step['worst_p95_ms'])} | {step['failed']} ({step['error_rate']:.1%}) |"
            f" {step['load_average']['start'][0]:.1f}–{step['load_average']['end'][0]:.1f} |"
            f" {step['cpu']['other_cores']:.2f} | {'pass' if step['passed'] else 'fail'} |"
        )
    rows += [
        "",
        "| at the lecture-hour rate | req/s | p50 ms | p95 ms | p99 ms | failed |"
        " server's own p50 / p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lecture = result["lecture_hour"]
    for kind, entry in lecture["by_kind"].items():
        rows.append(
            f"| {kind} | {lecture['per_second'][kind]:.1f} | {ms(entry['p50_ms'])} |"
            f" {ms(entry['p95_ms'])} | {ms(entry['p99_ms'])} | {entry['failed']} |"
            f" {ms(entry['server_p50_ms'])} / {ms(entry['server_p95_ms'])} |"
        )
    found = result["search"]
    share = found["highest_passing_share_of_lecture_hour"]
    rows += [
        "",
        f"Highest passing rate: {found['highest_passing_rate']} req/s"
        f" ({share:.0%} of the lecture-hour rate {result['target']['lecture_hour_rate']:.0f}"
        f" req/s); lowest failing: {found['lowest_failing_rate']} req/s."
        if share is not None
        else "No rate passed.",
    ]
    return "\n".join(rows)


# --- overload: past capacity (issue 20, finding 9; docs/decisions/0015) ----------------------


def recorded_capacity(results: Path) -> tuple[float, str]:
    """The highest passing rate of the newest capacity result in `results`, and its file."""
    newest = sorted(results.glob("*-capacity.json"))[-1]
    return json.loads(newest.read_text())["search"]["highest_passing_rate"], newest.name


def overload_summary(step: dict, samples: list[list]) -> dict:
    """A step past capacity: how many were shed (the 503 page at once), and the latency of
    those served correctly — from when each was due, its wait in the queue included."""
    shed = [s for s in samples if s[4] == 503]
    served = sorted(s[3] for s in samples if not s[5])
    other = [s for s in samples if s[5] and s[4] != 503]
    shed_latency = sorted(s[3] for s in shed)
    return {
        "requests": len(samples),
        "shed_503": len(shed),
        "shed_share": round(len(shed) / len(samples), 4) if samples else 0,
        "served": len(served),
        "served_share": round(len(served) / len(samples), 4) if samples else 0,
        "served_latency": latency_summary(served),
        "shed_latency": latency_summary(shed_latency),
        "other_failures": len(other),
        "other_failure_kinds": dict(collections.Counter(f"{s[0]}: {s[5]}" for s in other)),
        "served_per_s": round(len(served) / step["duration_s"], 1),
    }


def overload_test(args: argparse.Namespace, env: dict[str, str], seeded_users: int) -> dict:
    """One step of the lecture-hour mix at --overload-factor × the recorded capacity, with
    shedding on (production's QUEUE_TIME_BUDGET_MS) and, unless --overload-no-compare, with it
    off: the share answered 503 and the p95 of those served."""
    started = time.monotonic()
    started_at = datetime.datetime.now(datetime.UTC)
    capacity, source = (
        (args.overload_capacity, "--overload-capacity")
        if args.overload_capacity
        else recorded_capacity(args.output)
    )
    rate = round(capacity * args.overload_factor, 1)
    launch_data_reset()
    say(f"Overload test: signing in {args.capacity_people:,} people")
    rng = random.Random(20261207)  # reproducible choices, not secrets
    people = people_sign_in(args.capacity_people, seeded_users, rng)
    mix = lecture_hour_mix(args.capacity_panopto_share)
    runs = {}
    budgets = {"shedding": None, "no shedding": "off"}
    if args.overload_no_compare:
        del budgets["no shedding"]
    for name, budget in budgets.items():
        say(f"{name}: {args.workers} workers, {rate} req/s for {args.overload_duration} s")
        unset = ("RATE_LIMIT_LAUNCH",) + (("QUEUE_TIME_BUDGET_MS",) if budget is None else ())
        server_env = env if budget is None else {**env, "QUEUE_TIME_BUDGET_MS": budget}
        server = Server(server_env, args.workers, unset=unset)
        try:
            stepper = Stepper(
                server, people, mix, seed=rng.randrange(2**32), database=database_name(args)
            )
            stepper.run(
                args.capacity_start * stepper.lecture_hour_rate, args.capacity_warmup, "warm-up"
            )
            outcome_file = WORK / "capacity-outcome.json"
            step = stepper.run(rate, args.overload_duration, name)
            samples = json.loads(outcome_file.read_text())["samples"]
        finally:
            server.stop()
        summary = overload_summary(step, samples)
        say(
            f"  {name}: {summary['shed_share']:.1%} answered 503, {summary['served_share']:.1%}"
            f" served, served p95 {summary['served_latency']['p95_ms']} ms"
        )
        step.pop("timeline", None)
        runs[name] = {"summary": summary, "step": step}
    return {
        "date": started_at.date().isoformat(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "commit": git_commit(),
        "machine": {
            **machine(),
            "note": "locust, PostgreSQL, Redis and gunicorn share the machine's cores",
        },
        "method": {
            "model": "open, as the capacity test: each request sent when due at a fixed rate,"
            " stamped with X-Request-Start when sent, as nginx stamps it",
            "capacity_rate": capacity,
            "capacity_from": source,
            "factor": args.overload_factor,
            "rate": rate,
            "duration_s": args.overload_duration,
            "gunicorn_workers": args.workers,
            "queue_time_budget_ms": "production's default (portal/settings/base.py)",
            "people": len(people),
            "timeout_s": TIMEOUT_S,
            "served": "answered correctly (the capacity test's expectations) within the timeout;"
            " latency from when the request was due",
        },
        "runs": runs,
    }


def overload_markdown(result: dict) -> str:
    method = result["method"]
    rows = [
        f"{method['rate']} req/s = {method['factor']:g} × the capacity {method['capacity_rate']}"
        f" req/s ({method['capacity_from']}), {method['duration_s']} s, "
        f"{method['gunicorn_workers']} workers",
        "",
        "| | answered 503 | served | served p50 ms | served p95 ms | served p99 ms"
        " | 503 p95 ms | other failures | load average | other jobs' cores |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def ms(value: float | None) -> str:
        return "–" if value is None else f"{value:,.0f}"

    for name, run in result["runs"].items():
        summary, step = run["summary"], run["step"]
        served = summary["served_latency"]
        rows.append(
            f"| {name} | {summary['shed_share']:.1%} | {summary['served_share']:.1%} |"
            f" {ms(served['p50_ms'])} | {ms(served['p95_ms'])} | {ms(served['p99_ms'])} |"
            f" {ms(summary['shed_latency']['p95_ms'])} | {summary['other_failures']} |"
            f" {step['load_average']['start'][0]:.1f}–{step['load_average']['end'][0]:.1f} |"
            f" {step['cpu']['other_cores']:.2f} |"
        )
    return "\n".join(rows)

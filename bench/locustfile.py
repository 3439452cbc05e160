"""The capacity test's load generator: a locustfile that bench.capacity runs once per step, in
a locust process of its own, with a plan of requests to send at a fixed arrival rate.

Locust's users are a closed model: each waits for its answer before its next request, so a
slow server is sent less and looks better than it is. This file makes locust an open model:
one user is a clock, and the i-th request of the plan is due i / rate seconds after the start
and is sent in a greenlet of its own at that moment, whether or not the earlier ones have been
answered. A slow answer delays nothing that follows, as in a lecture hour: a student does not
wait for another's page before clicking. Each request opens its own connection (the sync
gunicorn workers close every connection after their answer anyway), so there is no pool whose
size would cap the requests in flight.

A request's latency counts from the moment it was due, not from when it left: a generator that
falls behind cannot hide the server's queue that way (coordinated omission). How far behind the
clock each request left is recorded too, so that a step whose generator could not keep up
is seen as such.

    locust -f bench/locustfile.py --headless --users 1 --spawn-rate 1 \\
        --plan PLAN.json --outcome OUTCOME.json

The plan (JSON, written by bench.capacity): host, rate (requests per second), timeout_s,
expect (per kind: status, and a location prefix or a text the body must contain) and arrivals
(kind, method, path, headers), sent in order. The outcome (JSON): one sample per request (kind,
due_ms, lag_ms, latency_ms, status, error), the generator's CPU seconds and wall seconds.
"""

import json
import resource
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from gevent.pool import Group
from geventhttpclient import HTTPClient
from locust import User, constant, events, task


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument("--plan", type=str, default="", help="the step's plan (JSON)")
    parser.add_argument("--outcome", type=str, default="", help="where the samples are written")


def verdict(expect: dict, status: int, location: str, body: bytes) -> str:
    """'' when the answer is the one expected, or what was wrong with it."""
    if status != expect["status"]:
        return f"status {status}"
    if "location_prefix" in expect and not location.startswith(expect["location_prefix"]):
        return "redirected elsewhere"
    if "contains" in expect and expect["contains"].encode() not in body:
        return "answer without " + expect["contains"]
    return ""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ArrivalClock(User):
    """The one user: sends the plan's requests on time, then stops the run."""

    fixed_count = 1
    wait_time = constant(3600)  # the plan is sent once: the run stops long before another

    @task
    def send_plan(self) -> None:
        options = self.environment.parsed_options
        plan = json.loads(Path(options.plan).read_text())
        host = urlsplit(plan["host"])
        timeout = float(plan["timeout_s"])
        interval = 1.0 / float(plan["rate"])
        samples: list[list] = []
        in_flight = Group()

        def send(arrival: list, due: float) -> None:
            kind, method, path, headers = arrival
            sent = time.monotonic()
            # Stamped as nginx stamps what it passes on (deploy/nginx/): the app sheds a request
            # that waited in its queue longer than QUEUE_TIME_BUDGET_MS (core/overload.py).
            headers = {**headers, "X-Request-Start": f"t={time.time():.3f}"}
            status, location, body, error = 0, "", b"", ""
            client = HTTPClient(
                host.hostname,
                host.port,
                connection_timeout=timeout,
                network_timeout=timeout,
                concurrency=1,
            )
            try:
                # The whole request, connecting included, within the timeout.
                with gevent.Timeout(timeout):
                    response = client.request(method, path, body=b"", headers=headers)
                    status = response.status_code
                    location = response.get("location") or ""
                    body = response.read()
            except gevent.Timeout:
                error = f"no answer within {timeout:g} s"
            except Exception as exc:  # any failure to get an answer is a failed request
                error = type(exc).__name__
            finally:
                client.close()
            done = time.monotonic()
            error = error or verdict(plan["expect"][kind], status, location, body)
            latency_ms = (done - due) * 1000
            samples.append(
                [
                    kind,
                    round((due - start) * 1000, 1),
                    round((sent - due) * 1000, 2),
                    round(latency_ms, 2),
                    status,
                    error,
                ]
            )
            # Locust's own statistics too (printed in the step's log), from the same moment.
            events.request.fire(
                request_type=method,
                name=kind,
                response_time=latency_ms,
                response_length=len(body),
                exception=Exception(error) if error else None,
                context={},
            )

        cpu_at_start = cpu_seconds()
        start = time.monotonic() + 0.2
        for index, arrival in enumerate(plan["arrivals"]):
            due = start + index * interval
            delay = due - time.monotonic()
            if delay > 0:
                gevent.sleep(delay)
            elif index % 50 == 0:
                gevent.sleep(0)  # behind the clock: let the requests in flight move on
            in_flight.spawn(send, arrival, due)
        sending_ended = time.monotonic()
        in_flight.join(timeout=timeout + 5)
        unfinished = len(in_flight)
        in_flight.kill(block=True, timeout=5)
        Path(options.outcome).write_text(
            json.dumps(
                {
                    "rate": plan["rate"],
                    "planned": len(plan["arrivals"]),
                    "unfinished": unfinished,
                    "sending_s": round(sending_ended - start, 3),
                    "wall_s": round(time.monotonic() - start, 3),
                    "generator_cpu_s": round(cpu_seconds() - cpu_at_start, 3),
                    "samples": samples,
                }
            )
        )
        # Stopping the run from outside this greenlet, which the runner stops with the others.
        gevent.spawn(self.environment.runner.quit)

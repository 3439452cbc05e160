"""gunicorn for production: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

One app server of several behind a proxy that terminates HTTPS and buffers slow clients, so
plain synchronous workers suffice: a launch is short and mostly CPU (the RS256 signature).
The systemd unit in deploy/systemd/ starts it; every value can be overridden by the environment
below, on the command line or in GUNICORN_CMD_ARGS.

- GUNICORN_BIND (e.g. `10.0.0.11:8000`, `unix:/run/neptun/portal.sock`), else 127.0.0.1:PORT
  (PORT defaults to 8000). Only the local proxy reaches the default; bind the private address
  when the proxy runs on another host, never a public one.
- WEB_CONCURRENCY: workers (default two per core and one more).
- FORWARDED_ALLOW_IPS: the proxy's addresses, trusted for X-Forwarded-Proto (default loopback).
- GUNICORN_LOG_LEVEL: gunicorn's own log level (default info).
- PROMETHEUS_MULTIPROC_DIR: where the workers count the metrics (core/metrics.py), emptied when
  the server starts; the systemd unit sets /run/neptun-portal/metrics. Unset, a temporary
  directory of this server's own, removed when it stops.
"""

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from gunicorn import glogging

from core.log import ACCESS_LOG_SKIP, REQUEST_ID_HEADER, JsonFormatter
from portal.health import PATHS as HEALTH_CHECK_PATHS

# Loopback unless told otherwise: an app server reachable from everywhere would let anyone
# bypass the proxy, and with it TLS and the headers the proxy overwrites.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or '8000'}"
# WEB_CONCURRENCY as on most platforms; otherwise two workers per core and one more.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
# Django is imported once, before the workers are forked: they start at once and share the
# pages of the loaded code. Nothing opens a connection while loading (see post_fork).
preload_app = True
# The proxy is trusted for X-Forwarded-For/-Proto; FORWARDED_ALLOW_IPS names it when it does
# not run on the same host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Only X-Forwarded-Proto says https (the proxy sets it on every request, see
# deploy/nginx/); gunicorn would also believe X-Forwarded-Ssl and X-Forwarded-Protocol, which a
# proxy that does not know them passes on from the client.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Recent gunicorn opens a control socket at one path per user: several instances on one host
# would fight over it, and nothing here uses `gunicornc`.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


# --- metrics (core/metrics.py) ----------------------------------------------------------------
# Every worker counts in files of its own in PROMETHEUS_MULTIPROC_DIR, and a scrape of any worker
# sums them all (prometheus_client's multiprocess mode). The variable must be set before the app
# is loaded (preload_app: in the master, before the workers are forked), since prometheus_client
# chooses its mode when it is imported: here, while the configuration is read. This file is read
# again on `systemctl reload` (HUP), by then with the variable set.
_METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Names the directory this file made itself (no PROMETHEUS_MULTIPROC_DIR given), to remove it.
_METRICS_TEMPORARY_VARIABLE = "NEPTUN_METRICS_TEMPORARY_DIR"
if not os.environ.get(_METRICS_DIR_VARIABLE):
    os.environ[_METRICS_DIR_VARIABLE] = tempfile.mkdtemp(prefix="neptun-metrics-")
    os.environ[_METRICS_TEMPORARY_VARIABLE] = os.environ[_METRICS_DIR_VARIABLE]
Path(os.environ[_METRICS_DIR_VARIABLE]).mkdir(mode=0o700, parents=True, exist_ok=True)


def on_starting(server):
    """Empty the metrics directory: counts of an earlier run are not this server's. (After the
    app is preloaded: the master's own files go too, which it never writes to.) Not when the
    master was re-executed by USR2: the old master's workers still count there."""
    if server.master_pid:
        return
    for path in Path(os.environ[_METRICS_DIR_VARIABLE]).glob("*.db"):
        path.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker has exited: its counts stay in the sum (counters never go back while the server
    runs), and prometheus_client forgets its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics directory if this file made it — unless a master re-executed by USR2
    goes on counting there."""
    temporary = os.environ.get(_METRICS_TEMPORARY_VARIABLE)
    if temporary and temporary == os.environ.get(_METRICS_DIR_VARIABLE) and not server.reexec_pid:
        shutil.rmtree(temporary, ignore_errors=True)


def post_fork(server, worker):
    # Belt and braces for preload_app: a connection opened in the master must not be shared.
    from django.db import connections

    connections.close_all()


class JsonLogger(glogging.Logger):
    """gunicorn's own and access log lines as JSON on stdout, like the Django logs.

    The access line leaves out the query string: the authorization request carries the
    lti_message_hint and login_hint in it. Health checks get no line at all: a load balancer
    asks every few seconds, and the app logs a change of readiness itself (portal/health.py);
    nor do answered metrics scrapes (portal/metrics.py marks them in the environ), while a
    refused one is logged as any other 404."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            if log is self.access_log and not cfg.accesslog:
                continue
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            log.addHandler(handler)

    def access(self, resp, req, environ, request_time):
        if (
            not self.cfg.accesslog
            or environ.get("PATH_INFO") in HEALTH_CHECK_PATHS
            or environ.get(ACCESS_LOG_SKIP)
        ):
            return
        request_id = next(
            (value for name, value in resp.headers if name.lower() == REQUEST_ID_HEADER.lower()),
            "",
        )
        try:
            self.access_log.info(
                "request",
                extra={
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": environ.get("PATH_INFO", ""),
                    "status": int(str(resp.status).split(None, 1)[0]),
                    "bytes": getattr(resp, "sent", 0),
                    "duration_ms": round(request_time.total_seconds() * 1000, 2),
                    "remote": environ.get("REMOTE_ADDR", ""),
                    "request_id": request_id,
                },
            )
        except Exception:  # as gunicorn's own: a log line never fails a response
            self.exception("access log line failed")


logger_class = JsonLogger

"""What both parts of the benchmark share: where it keeps its files, the settings of its server
and driver, the machine it ran on, signed-in sessions, and the gunicorn server itself."""

import argparse
import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
ISSUER = "https://neptun.bench.example.edu"
# Hints are made before the runs and used up to an hour later; production keeps 300 s.
HINT_MAX_AGE = 7200


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- environment -----------------------------------------------------------------------------


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    """The settings of the driver and the server alike. The secrets are made once and kept in
    bench/.work/, so that the platform keys stored in the bench database stay readable."""
    from cryptography.fernet import Fernet

    secrets_file = WORK / "secrets.json"
    if not secrets_file.exists():
        secrets_file.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "LTI_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                }
            )
        )
    return {
        **json.loads(secrets_file.read_text()),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LTI_ISSUER": ISSUER,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "STATIC_ROOT": str(WORK / "static"),
        "SECURE_SSL_REDIRECT": "false",  # wrk talks plain HTTP to the app server, as a proxy does
        "LTI_MESSAGE_HINT_MAX_AGE": str(HINT_MAX_AGE),
        # One user clicks hundreds of times a second here: a per-user launch limit (where the
        # checkout has one) is raised out of reach, not switched off, so its cost is measured.
        "RATE_LIMIT_LAUNCH": "1000000/60",
        # Its spent hints, refused, stay recorded one by one as they were measured before.
        "RATE_LIMIT_SIGNED_IN_REFUSALS": "1000000/60",
        "LOG_LEVEL": "WARNING",
    }


def database_ensure(url: str) -> None:
    """Create the bench database when it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            say(f"Creating the database {db['NAME']}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def machine() -> dict:
    def first_line(command: list[str]) -> str:
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return ""
        return (result.stdout or result.stderr).strip().splitlines()[0] if result else ""

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": first_line(["redis-server", "--version"]),
        "wrk": first_line(["wrk", "--version"]),
        "note": "wrk, PostgreSQL, Redis and gunicorn share the machine's cores",
    }


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return result.stdout.strip() + ("+changes" if dirty else "")


def signed_in(username: str):
    """A session for the user, made as a sign-in makes it, and a CSRF token pair."""
    from django.conf import settings
    from django.test import Client
    from django.utils.crypto import get_random_string

    from portal.models import User

    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    csrf = get_random_string(32)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return user, cookie, csrf


def authorization_request(login_location: str) -> str:
    """The authorization request (path and query) the tool sends after a login initiation
    that redirected the browser to `login_location`, as Panopto would: the hints it was given,
    a fresh state and nonce, the registered redirect URI. Usable once."""
    from bench import paths
    from bench.seed import CLIENT_ID, LAUNCH_URL

    login = {k: v[0] for k, v in parse_qs(urlsplit(login_location).query).items()}
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": CLIENT_ID,
        "redirect_uri": LAUNCH_URL,
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
    }
    return paths.AUTHORIZE + "?" + urlencode(params)


def launch_data_reset() -> None:
    """Each run starts from empty launch records, consumed hints and sessions; the platform
    keys are made again when the stored ones cannot be read with this checkout's secret."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connection

    from panopto_link.lti_platform import keys
    from panopto_link.lti_platform.models import ConsumedToken, LaunchRecord, PlatformKey

    tables = [LaunchRecord._meta.db_table, ConsumedToken._meta.db_table, "django_session"]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    try:
        keys.signing_key()
    except ImproperlyConfigured:
        PlatformKey.objects.all().delete()
        keys.keys_ensure()
    from django.core.cache import cache

    cache.clear()


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the production settings and `workers` workers on a free port; `unset`
    names settings of the environment the server does not get (their production default
    applies)."""

    def __init__(self, env: dict[str, str], workers: int, unset: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = WORK / "gunicorn.log"
        command = [
            *(sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi"),
            *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
            *("--pythonpath", str(ROOT)),
        ]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={
                    name: value
                    for name, value in {**os.environ, **env}.items()
                    if name not in unset
                },
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/.well-known/openid-configuration", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_memory(self) -> list[dict]:
        """Peak (VmHWM) and current resident memory of each worker, in MiB."""
        result = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            values = {
                key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) / 1024
                for key in ("VmHWM", "VmRSS")
            }
            result.append(
                {
                    "pid": pid,
                    "peak_rss_mib": round(values["VmHWM"], 1),
                    "rss_mib": round(values["VmRSS"], 1),
                }
            )
        return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)

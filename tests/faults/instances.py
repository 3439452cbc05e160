"""PostgreSQL, Redis and a gunicorn app server of the fault tests' own: temporary folders, spare
ports, started and stopped at will — so stopping them disturbs nothing else in the suite (the
shared PostgreSQL on :5432 and Redis on :6379 are never touched)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_binaries() -> Path | None:
    """The folder with initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


@dataclass
class PostgresInstance:
    """A throwaway cluster: initdb into a temporary folder, served on a spare port. PostgreSQL
    refuses to run as root, so as root it runs as the `postgres` user."""

    bin_dir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fault-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *command], check=True, capture_output=True, timeout=120, cwd=self.root
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")
        self._run(
            str(self.bin_dir / "initdb"),
            *("-D", str(self.root / "data"), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--locale", "C", "--no-sync"),
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            *("-D", str(self.root / "data"), "-o", options, "-l", str(self.root / "log")),
            *("-w", "-t", "60", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every connection and shuts down cleanly; `immediate` is a crash."""
        self._run(
            str(self.bin_dir / "pg_ctl"),
            *("-D", str(self.root / "data"), "-m", mode, "-w", "-t", "60", "stop"),
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class RedisInstance:
    """redis-server as a child process, keeping nothing on disk, as in production."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot exit otherwise
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing ever answers (a hung server)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@dataclass
class AppServer:
    """The portal under gunicorn with the production settings (tests/faults/settings.py)."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    workers: int = 1
    threads: int = 4  # 1: gunicorn's synchronous workers, one request at a time each
    timeout: int = 60  # gunicorn's worker timeout: production's is 30 (portal/gunicorn.conf.py)
    # gunicorn's configuration file, e.g. production's portal/gunicorn.conf.py (its hooks, its
    # access log); none by default. The command line's values win over the file's.
    configuration: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def start(self, ready_path: str = "/.well-known/openid-configuration") -> None:
        """Start gunicorn and wait until `ready_path` answers (any status)."""
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "portal.wsgi"),
                    *(("-c", self.configuration) if self.configuration else ()),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                    *("--threads", str(self.threads), "--timeout", str(self.timeout)),
                    *("--graceful-timeout", "5"),
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-4000:]}")
            try:
                requests.get(self.url + ready_path, timeout=2)
                return
            # Not yet listening, or a first answer slower than 2 s on a busy machine.
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

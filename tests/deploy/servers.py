"""The processes of the production-shaped HTTPS test: nginx from Debian with its own
configuration and prefix in a temporary folder (never the system service), gunicorn app servers
started as deploy/systemd/neptun-portal.service starts them, and the files of deploy/ they are
configured by."""

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEPLOY = BASE_DIR / "deploy"
NGINX_TEMPLATE = DEPLOY / "nginx" / "neptun-portal.conf.template"
SYSTEMD_UNIT = DEPLOY / "systemd" / "neptun-portal.service"
SYSTEMD_ENVIRONMENT = DEPLOY / "systemd" / "neptun-portal.env.example"
STAND_IN_TEMPLATE = Path(__file__).resolve().parent / "stand-in.nginx.conf.template"
IDP_TEMPLATE = Path(__file__).resolve().parent / "identity-provider.nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nss_wrapper_library() -> Path | None:
    """Debian's libnss_wrapper.so: with LD_PRELOAD and NSS_WRAPPER_HOSTS it makes a process
    resolve host names from a file of the test's, as --host-resolver-rules does for Chromium."""
    found = sorted(Path("/usr/lib").glob("*/libnss_wrapper.so")) + sorted(
        Path("/usr/lib").glob("libnss_wrapper.so")
    )
    return found[0] if found else None


def envsubst(template: Path, values: dict[str, str]) -> str:
    """The template with these variables replaced by GNU envsubst, as deploy/nginx/ says to
    render it (nginx's own $variables stay); fails when one of the template's is not given."""
    wanted = set(
        re.findall(r"\$\{((?:NEPTUN|STAND_IN|IDP|FEDERATION)_[A-Z_]+)\}", template.read_text())
    )
    missing = wanted - values.keys()
    assert not missing, f"{template.name} needs {sorted(missing)}"
    rendered = subprocess.run(
        ["envsubst", " ".join(f"${{{name}}}" for name in sorted(values))],
        input=template.read_text(),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **values},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert not re.search(r"\$\{(NEPTUN|STAND_IN|IDP|FEDERATION)_", rendered), rendered
    return rendered


def environment_file(path: Path = SYSTEMD_ENVIRONMENT) -> dict[str, str]:
    """The variables an EnvironmentFile sets (comments and blank lines left out)."""
    variables = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _equals, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def commented_variables(path: Path = SYSTEMD_ENVIRONMENT) -> set[str]:
    """The optional variables the environment file names in comments (`#NAME=value`)."""
    return set(re.findall(r"^#([A-Z][A-Z0-9_]*)=", path.read_text(), flags=re.MULTILINE))


def unit_service_settings(path: Path = SYSTEMD_UNIT) -> list[tuple[str, str]]:
    """The [Service] section's settings in order (a unit repeats Environment=, for one)."""
    settings, section = [], ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and line and not line.startswith("#"):
            name, _equals, value = line.partition("=")
            settings.append((name, value))
    return settings


def unit_command(setting: str, environment: dict[str, str]) -> list[str]:
    """The unit's ExecStart= or ExecStartPost= command, with ${VAR} expanded from
    `environment` as systemd does."""
    (value,) = [value for name, value in unit_service_settings() if name == setting]
    return [
        re.sub(r"\$\{(\w+)\}", lambda match: environment[match.group(1)], word)
        for word in shlex.split(value)
    ]


def unit_environment(environment_file_values: dict[str, str]) -> dict[str, str]:
    """What the unit's processes see: its Environment= lines, then the EnvironmentFile's."""
    values = {}
    for name, value in unit_service_settings():
        if name == "Environment":
            key, _equals, item = value.partition("=")
            values[key] = item
    return {**values, **environment_file_values}


@dataclass
class Process:
    """A server this test started, with its output in a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_for_port(process: Process, port: int, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            raise AssertionError(f"{process.name} exited:\n{process.text()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{process.name} did not listen on {port}:\n{process.text()[-4000:]}")


@dataclass
class AppServer:
    """gunicorn as the systemd unit runs it: its ExecStart, in its WorkingDirectory (the
    release), with the unit's environment."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    wsgi: str | None = None  # another WSGI application than the unit's (the stand-in)
    process: Process = field(init=False)

    def __post_init__(self) -> None:
        gunicorn, *arguments = unit_command("ExecStart", self.env)
        assert Path(gunicorn).name == "gunicorn", gunicorn
        if self.wsgi:
            arguments[-1] = self.wsgi
        self.process = Process(
            self.name, [sys.executable, "-m", "gunicorn", *arguments], self.env, self.log
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process.start()

    def wait(self) -> None:
        wait_for_port(self.process, self.port)

    def get(self, path: str) -> requests.Response:
        """Straight to the app port over plain http, as a load balancer's probe comes."""
        return requests.get(self.url + path, timeout=10, allow_redirects=False)

    def log_lines(self) -> list[dict]:
        import json

        lines = []
        for line in self.process.text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def manage(env: dict[str, str], *arguments: str) -> str:
    """`manage.py …` in the release with this environment; its output, or the test fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {arguments[0]} failed:\n{result.stderr[-4000:]}"
    return result.stdout


@dataclass
class Nginx:
    """Debian's nginx with the test's own main configuration, prefix and logs in `root`, in the
    foreground as a child of the test. `sites` are included in its http block, as Debian's
    sites-enabled/ is."""

    root: Path
    sites: dict[str, str]
    process: Process | None = None

    def main_configuration(self) -> str:
        root = self.root
        # As root the workers would run as `nobody`, which may not read the test's temporary
        # folders; a test's nginx runs as whoever runs the test.
        user = "user root root;" if os.geteuid() == 0 else ""
        return f"""
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {root}/access.log;
    client_body_temp_path {root}/temp/client_body;
    proxy_temp_path {root}/temp/proxy;
    fastcgi_temp_path {root}/temp/fastcgi;
    uwsgi_temp_path {root}/temp/uwsgi;
    scgi_temp_path {root}/temp/scgi;
    include {root}/sites-enabled/*.conf;
}}
"""

    def start(self, ports: list[int]) -> None:
        (self.root / "sites-enabled").mkdir(parents=True, exist_ok=True)
        (self.root / "temp").mkdir(exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        for name, text in self.sites.items():
            (self.root / "sites-enabled" / f"{name}.conf").write_text(text)
        conf = self.root / "nginx.conf"
        conf.write_text(self.main_configuration())
        command = [NGINX, "-p", str(self.root), "-c", str(conf), "-e", str(self.root / "error.log")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
        self.process = Process("nginx", command, {"PATH": "/usr/sbin:/usr/bin:/bin"}, self.log)
        self.process.start()
        for port in ports:
            wait_for_port(self.process, port, timeout=30)

    @property
    def log(self) -> Path:
        return self.root / "nginx.out"

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(signal.SIGQUIT)  # graceful: finish the requests in progress

"""A production-shaped deployment for the HTTPS test, made from the files in deploy/:

- a throw-away certificate authority (tests/deploy/tls.py) and a certificate for each of the
  host names, `portal.test`, `panopto.test`, `idp.test` and `federation.test`;
- Debian's nginx, configured by deploy/nginx/neptun-portal.conf.template rendered with envsubst,
  terminating TLS for the portal in front of **two gunicorn servers** (one upstream), and for
  the Panopto stand-in with a site of its own;
- the portal's servers started as deploy/systemd/neptun-portal.service starts them, with
  `portal.settings.production` and an environment made of exactly the variables of
  deploy/systemd/neptun-portal.env.example, sharing this test's PostgreSQL database and Redis;
- the stand-in as a separate party: its own settings (tests/deploy/stand_in/), database and
  server; it and the portal fetch each other's key sets over HTTPS, trusting the test's CA and
  resolving the test's host names through nss_wrapper;
- the stand-in eduID identity provider as another party (tests/deploy/identity_provider/, its
  own server and nginx site on `idp.test`), and a "federation" on `federation.test` publishing
  its metadata signed with a throw-away operator key, which the portal fetches with
  `manage.py eduid_metadata` and checks with the operator's certificate, as production does
  with HREF's aggregate (docs/operations.md, Sign in with eduID).

Runs in the PostgreSQL and Redis pass of .ci/run (`make test-postgres` installs nginx, certutil,
nss_wrapper and curl from Debian); skipped on SQLite and the local-memory cache.
"""

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.urls import reverse
from saml2.config import IdPConfig
from saml2.md import entity_descriptor_from_string
from saml2.metadata import entities_descriptor
from saml2.sigver import security_context

from core import key_pairs
from panopto_link.simulator.demo import DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID
from portal.management.commands.seed_demo import WALKTHROUGH_COURSE
from tests.deploy.servers import (
    IDP_TEMPLATE,
    NGINX,
    NGINX_TEMPLATE,
    STAND_IN_TEMPLATE,
    AppServer,
    Nginx,
    commented_variables,
    environment_file,
    envsubst,
    free_port,
    manage,
    nss_wrapper_library,
    unit_environment,
)
from tests.deploy.tls import CertificateAuthority
from virtualspaces.models import VirtualSpace

# Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls are
# synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PORTAL_HOST = "portal.test"
STAND_IN_HOST = "panopto.test"
IDP_HOST = "idp.test"
FEDERATION_HOST = "federation.test"
# The federation's signed metadata, as HREF publishes its aggregate.
FEDERATION_METADATA = "metadata.xml"
# Seconds per step of the last walkthrough, shown at the end of the run.
WALKTHROUGH_TIMINGS: dict[str, float] = {}


def pytest_terminal_summary(terminalreporter):
    if WALKTHROUGH_TIMINGS:
        terminalreporter.section("README walkthrough over HTTPS (seconds)")
        for name, seconds in WALKTHROUGH_TIMINGS.items():
            terminalreporter.write_line(f"{seconds:6.2f}  {name}")


def production_pass_or_skip() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared by several processes (the PostgreSQL pass runs it)")
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        pytest.skip("needs Redis shared by several processes (CACHE_URL=redis://…)")
    missing = [
        tool
        for tool, present in (
            ("nginx", os.path.exists(NGINX)),
            ("certutil (libnss3-tools)", shutil.which("certutil")),
            ("nss_wrapper (libnss-wrapper)", nss_wrapper_library()),
            ("curl", shutil.which("curl")),
            ("envsubst (gettext-base)", shutil.which("envsubst")),
        )
        if not present
    ]
    if missing:
        pytest.fail(f"The HTTPS test needs {', '.join(missing)}: `make test-postgres` installs it.")


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{name}"


class StandInDatabase:
    """The stand-in's own PostgreSQL database beside the test database, dropped afterwards."""

    def __init__(self) -> None:
        self.name = f"{connection.settings_dict['NAME']}_stand_in"[:63]

    def _execute(self, statement: str) -> None:
        url = database_url("postgres").replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(statement)

    def create(self) -> str:
        self.drop()  # left over from an interrupted run
        self._execute(f'CREATE DATABASE "{self.name}"')
        return database_url(self.name)

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def wait_until_servers_disconnected(timeout: float = 20) -> None:
    """PostgreSQL ends a stopped server's sessions a moment after it has gone; pytest-django
    flushes and later drops the test database, which fails while another session is open."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
        cursor.execute(
            "SELECT application_name, client_port, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pytest.fail(f"sessions left on the test database: {cursor.fetchall()}")


@dataclass
class Deployment:
    root: Path
    ca: CertificateAuthority
    https_port: int
    http_port: int
    portal_servers: list[AppServer]
    stand_in_server: AppServer
    idp_server: AppServer
    nginx: Nginx
    portal_env: dict[str, str]
    walkthrough_course: int = 0  # the README walkthrough's course (seed_demo's)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def portal(self) -> str:
        return f"https://{PORTAL_HOST}:{self.https_port}"

    @property
    def stand_in(self) -> str:
        return f"https://{STAND_IN_HOST}:{self.https_port}"

    @property
    def idp(self) -> str:
        return f"https://{IDP_HOST}:{self.https_port}"

    @property
    def plain_http_portal(self) -> str:
        return f"http://{PORTAL_HOST}:{self.http_port}"

    def nginx_access_lines(self) -> list[dict]:
        import json

        log = self.root / "nginx" / "logs" / "neptun-portal.access.log"
        return [json.loads(line) for line in log.read_text().splitlines() if line]


def server_process_environment(root: Path, ca: CertificateAuthority) -> dict[str, str]:
    """What every server process of the test gets besides its own settings: the test's host
    names resolved to 127.0.0.1 (nss_wrapper) and the test's CA trusted by `requests`."""
    hosts = root / "hosts"
    hosts.write_text(
        "".join(
            f"127.0.0.1 {host}\n"
            for host in (PORTAL_HOST, STAND_IN_HOST, IDP_HOST, FEDERATION_HOST)
        )
    )
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "LANG": "C.UTF-8",
        "LD_PRELOAD": str(nss_wrapper_library()),
        "NSS_WRAPPER_HOSTS": str(hosts),
        "REQUESTS_CA_BUNDLE": str(ca.certificate),
        "WEB_CONCURRENCY": "2",
    }


@pytest.fixture
def deployment(transactional_db, tmp_path):
    production_pass_or_skip()
    started = time.monotonic()
    root = tmp_path
    ca = CertificateAuthority.create(root / "tls")
    portal_cert, stand_in_cert = ca.issue(PORTAL_HOST), ca.issue(STAND_IN_HOST)
    idp_cert, federation_cert = ca.issue(IDP_HOST), ca.issue(FEDERATION_HOST)
    process_env = server_process_environment(root, ca)
    https_port, http_port = free_port(), free_port()
    portal_ports = [free_port(), free_port()]
    stand_in_port, idp_port = free_port(), free_port()
    issuer = f"https://{PORTAL_HOST}:{https_port}"
    stand_in_origin = f"https://{STAND_IN_HOST}:{https_port}"
    secret_key = Fernet.generate_key().decode() * 2  # the same on every app server
    encryption_key = Fernet.generate_key().decode()
    # The portal's SAML key pair, made by the operator (here: the test), and the federation
    # operator's, whose certificate the operator obtained out of band.
    sp_key, sp_cert = key_pairs.ensure_key_folder(root / "saml-sp", common_name=PORTAL_HOST)
    operator_keys = key_pairs.ensure_key_folder(root / "federation-operator", common_name="HREF")
    federation_root = root / "federation"
    federation_root.mkdir()
    saml_values = {
        "SAML_IDP_METADATA": f"https://{FEDERATION_HOST}:{https_port}/{FEDERATION_METADATA}",
        "SAML_IDP_METADATA_CERT": str(operator_keys[1]),
        "SAML_KEY_FILE": str(sp_key),
        "SAML_CERT_FILE": str(sp_cert),
        "SAML_NEPTUN_CODE_ATTRIBUTE": "schacPersonalUniqueCode",
        "SAML_MATCH_ATTRIBUTE": "neptun_code",
    }

    def portal_env(port: int) -> dict[str, str]:
        # Exactly the variables the environment file has: a production setting it forgets
        # stops these servers from starting.
        values = {
            "SECRET_KEY": secret_key,
            "LTI_KEY_ENCRYPTION_KEY": encryption_key,
            "LTI_ISSUER": issuer,
            "ALLOWED_HOSTS": PORTAL_HOST,
            "CSRF_TRUSTED_ORIGINS": issuer,
            "PORTAL_ENVIRONMENT": "production",
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "READY_URL": f"http://127.0.0.1:{port}/readyz",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "STATIC_ROOT": str(root / "static"),
            "TRUSTED_PROXY_HOPS": "1",
            "METRICS_ALLOWED_ADDRESSES": "127.0.0.1,::1",  # the test scrapes as Prometheus
            "LOG_LEVEL": "WARNING",
        }
        assert values.keys() == environment_file().keys(), "deploy/systemd/*.env.example changed"
        # The eduID sign-in's, which the file lists commented (optional).
        assert saml_values.keys() <= commented_variables(), "the SAML variables' comments"
        values.update(saml_values)
        environment = {**process_env, **unit_environment(values)}
        # The unit's /run/neptun-portal/metrics is one host's; here two app servers share the
        # host, each with a folder of its own.
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(root / f"metrics-{port}")
        return environment

    portal_servers = [
        AppServer(f"portal-{name}", port, portal_env(port), root / f"portal-{name}.log")
        for name, port in zip("ab", portal_ports, strict=True)
    ]
    stand_in_db = StandInDatabase()
    stand_in_env = {
        **process_env,
        "DJANGO_SETTINGS_MODULE": "tests.deploy.stand_in.settings",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "ALLOWED_HOSTS": STAND_IN_HOST,
        "DATABASE_URL": stand_in_db.create(),
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "GUNICORN_BIND": f"127.0.0.1:{stand_in_port}",
    }
    stand_in_server = AppServer(
        "stand-in",
        stand_in_port,
        stand_in_env,
        root / "stand-in.log",
        wsgi="tests.deploy.stand_in.wsgi",
    )

    idp_server = AppServer(
        "eduid-stand-in",
        idp_port,
        {
            **process_env,
            "DJANGO_SETTINGS_MODULE": "tests.deploy.identity_provider.settings",
            "SECRET_KEY": Fernet.generate_key().decode() * 2,
            "ALLOWED_HOSTS": IDP_HOST,
            "CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "GUNICORN_BIND": f"127.0.0.1:{idp_port}",
            "EDUID_SIMULATOR_KEY_FOLDER": str(root / "eduid-stand-in-keys"),
            "EDUID_SIMULATOR_SP_METADATA": issuer + reverse("eduid:metadata"),
        },
        root / "eduid-stand-in.log",
        wsgi="tests.deploy.identity_provider.wsgi",
    )

    def stand_in_url(name: str) -> str:
        return stand_in_origin + reverse(f"panopto_simulator:{name}")

    nginx = Nginx(
        root / "nginx",
        sites={
            "neptun-portal": envsubst(
                NGINX_TEMPLATE,
                {
                    "NEPTUN_SERVER_NAME": PORTAL_HOST,
                    "NEPTUN_PUBLIC_HOST": f"{PORTAL_HOST}:{https_port}",
                    "NEPTUN_HTTP_LISTEN": f"127.0.0.1:{http_port}",
                    "NEPTUN_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                    "NEPTUN_TLS_CERTIFICATE": str(portal_cert.certificate),
                    "NEPTUN_TLS_CERTIFICATE_KEY": str(portal_cert.key),
                    "NEPTUN_APP_SERVERS": " ".join(
                        f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;"
                        for port in portal_ports
                    ),
                    "NEPTUN_STATIC_ROOT": str(root / "static"),
                    "NEPTUN_LOG_DIR": str(root / "nginx" / "logs"),
                },
            ),
            "panopto-stand-in": envsubst(
                STAND_IN_TEMPLATE,
                {
                    "STAND_IN_SERVER_NAME": STAND_IN_HOST,
                    "STAND_IN_PUBLIC_HOST": f"{STAND_IN_HOST}:{https_port}",
                    "STAND_IN_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                    "STAND_IN_TLS_CERTIFICATE": str(stand_in_cert.certificate),
                    "STAND_IN_TLS_CERTIFICATE_KEY": str(stand_in_cert.key),
                    "STAND_IN_APP_SERVER": f"127.0.0.1:{stand_in_port}",
                    "STAND_IN_LOG_DIR": str(root / "nginx" / "logs"),
                },
            ),
            "eduid-stand-in": envsubst(
                IDP_TEMPLATE,
                {
                    "IDP_SERVER_NAME": IDP_HOST,
                    "IDP_PUBLIC_HOST": f"{IDP_HOST}:{https_port}",
                    "IDP_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                    "IDP_TLS_CERTIFICATE": str(idp_cert.certificate),
                    "IDP_TLS_CERTIFICATE_KEY": str(idp_cert.key),
                    "IDP_APP_SERVER": f"127.0.0.1:{idp_port}",
                    "IDP_LOG_DIR": str(root / "nginx" / "logs"),
                    "FEDERATION_SERVER_NAME": FEDERATION_HOST,
                    "FEDERATION_TLS_CERTIFICATE": str(federation_cert.certificate),
                    "FEDERATION_TLS_CERTIFICATE_KEY": str(federation_cert.key),
                    "FEDERATION_ROOT": str(federation_root),
                },
            ),
        },
    )
    deployment = Deployment(
        root=root,
        ca=ca,
        https_port=https_port,
        http_port=http_port,
        portal_servers=portal_servers,
        stand_in_server=stand_in_server,
        idp_server=idp_server,
        nginx=nginx,
        # What a release's commands run with: the environment file, without the unit's
        # PROMETHEUS_MULTIPROC_DIR (docs/operations.md).
        portal_env={
            name: value
            for name, value in portal_servers[0].env.items()
            if name != "PROMETHEUS_MULTIPROC_DIR"
        },
    )
    try:
        # The portal's release, as docs/operations.md has it (migrate: pytest-django did).
        env = deployment.portal_env
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        # The demo data on a throwaway database under the production settings: forced, as
        # seed_demo refuses production otherwise.
        manage(env, "seed_demo", "--force")
        # Read here, before the test starts Playwright: under its event loop the ORM would open
        # a connection of its own, which outlives the test and blocks dropping the database.
        deployment.walkthrough_course = VirtualSpace.objects.get(code=WALKTHROUGH_COURSE).pk
        manage(
            env,
            "panopto_configure",
            *("--client-id", DEMO_CLIENT_ID, "--deployment-id", DEMO_DEPLOYMENT_ID),
            *("--login-url", stand_in_url("login"), "--launch-url", stand_in_url("launch")),
            *("--deep-linking-url", stand_in_url("deep_link")),
            *("--redirect-uri", stand_in_url("launch")),
            *("--redirect-uri", stand_in_url("deep_link")),
            *("--jwks-url", stand_in_url("jwks"), "--site-url", stand_in_url("dashboard")),
            "--production-site",  # this production portal's Panopto site (panopto_check)
        )
        # The stand-in's side: its own database, and its registration of the portal.
        manage(stand_in_env, "migrate", "--noinput", "--verbosity", "0")
        manage(
            stand_in_env,
            "shell",
            "-c",
            "from panopto_link.simulator.services import registration_configure as configure; "
            f"configure(issuer={issuer!r}, client_id={DEMO_CLIENT_ID!r}, "
            f"deployment_ids=[{DEMO_DEPLOYMENT_ID!r}], "
            f"auth_login_url={issuer + reverse('lti_platform:authorize')!r}, "
            f"key_set_url={issuer + reverse('lti_platform:jwks')!r}, "
            f"public_origin={stand_in_origin!r})",
        )
        for server in [*portal_servers, stand_in_server, idp_server]:
            server.start()
        nginx.start([https_port, http_port])
        for server in [*portal_servers, stand_in_server, idp_server]:
            server.wait()
        # The federation signs the identity provider's metadata and publishes it; the portal
        # fetches it as its timer would (neptun-eduid-metadata.service) and checks the signature.
        publish_federation_metadata(
            deployment, federation_root / FEDERATION_METADATA, operator_keys
        )
        fetched = manage(env, "eduid_metadata")
        assert "signature verified" in fetched, fetched
        deployment.timings["set-up (release, servers, nginx)"] = round(
            time.monotonic() - started, 2
        )
        yield deployment
    finally:
        nginx.stop()
        for server in [*portal_servers, stand_in_server, idp_server]:
            server.process.stop()
        stand_in_db.drop()
        wait_until_servers_disconnected()


def publish_federation_metadata(deployment: Deployment, path: Path, operator_keys) -> None:
    """The identity provider's metadata (asked of its own server, as nginx would forward it),
    in an EntitiesDescriptor signed with the federation operator's key, valid a week (HREF's
    aggregate: ../shared/notes/eduid.md), written where the federation's nginx site serves it."""
    response = requests.get(
        f"{deployment.idp_server.url}/idp-sim/metadata/",
        headers={"Host": f"{IDP_HOST}:{deployment.https_port}", "X-Forwarded-Proto": "https"},
        timeout=30,
    )
    response.raise_for_status()
    member = entity_descriptor_from_string(response.text)
    operator = IdPConfig()
    operator.load(
        {
            "entityid": f"https://{FEDERATION_HOST}/operator",
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(operator_keys[0]),
            "cert_file": str(operator_keys[1]),
        }
    )
    _entities, xml = entities_descriptor(
        [member],
        24 * 7,
        f"https://{FEDERATION_HOST}/",
        "federation-1",
        True,
        security_context(operator),
    )
    path.write_text(xml, encoding="utf-8")

"""The files of deploy/ say what they use: every variable of the nginx template is documented in
its head, and the systemd unit starts the release's gunicorn configuration and waits for the
readiness check the app answers. (tests/deploy/test_https_walkthrough.py runs them.)"""

import re

from django.conf import settings
from django.test import Client

from tests.deploy.servers import (
    NGINX_TEMPLATE,
    SYSTEMD_ENVIRONMENT,
    environment_file,
    unit_command,
    unit_environment,
    unit_service_settings,
)


def test_every_variable_of_the_nginx_template_is_documented_in_its_head():
    text = NGINX_TEMPLATE.read_text()
    used = set(re.findall(r"\$\{(NEPTUN_[A-Z_]+)\}", text))
    head = [line for line in text.splitlines() if line.startswith("#")]
    # The lines that explain them start with their names.
    explained = " ".join(line for line in head if line.startswith("# NEPTUN_"))
    documented = set(re.findall(r"NEPTUN_[A-Z_]+", explained))
    assert used and used == documented, (used, documented)
    # The example in the head sets each of them.
    example = set(re.findall(r"(NEPTUN_[A-Z_]+)=", "\n".join(head)))
    assert example == used, used - example


def test_the_unit_starts_the_release_gunicorn_configuration_and_waits_for_readyz(db):
    environment = unit_environment(environment_file())
    assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    command = unit_command("ExecStart", environment)
    configuration = command[command.index("-c") + 1]
    assert (settings.BASE_DIR / configuration).is_file(), configuration
    assert command[-1] == "portal.wsgi"
    wait = unit_command("ExecStartPost", environment)
    assert wait[0] == "/usr/bin/curl" and "--fail" in wait
    ready_url = wait[-1]
    assert ready_url == environment["READY_URL"] == f"http://{environment['GUNICORN_BIND']}/readyz"
    # The path the unit asks is the app's readiness check (503 here: no signing key yet).
    assert Client().get("/" + ready_url.split("/", 3)[3]).status_code == 503


def test_the_environment_file_sets_every_variable_production_requires():
    production = (settings.BASE_DIR / "portal" / "settings" / "production.py").read_text()
    required = set(re.findall(r'env_str\("([A-Z_]+)"\)', production))
    assert required and required <= environment_file(SYSTEMD_ENVIRONMENT).keys(), required


def test_the_unit_counts_the_metrics_in_a_runtime_directory_of_its_own():
    """The workers' metric files (core/metrics.py) in /run/<RuntimeDirectory>: made for the
    service, writable under ProtectSystem=strict, removed when it stops — and emptied by
    portal/gunicorn.conf.py when it starts."""
    service = dict(unit_service_settings())
    runtime = service["RuntimeDirectory"]
    directory = unit_environment(environment_file())["PROMETHEUS_MULTIPROC_DIR"]
    assert directory.startswith(f"/run/{runtime}/"), (runtime, directory)
    assert service["ProtectSystem"] == "strict"
    # Set by the unit, not by the environment file that release commands run with.
    assert "PROMETHEUS_MULTIPROC_DIR" not in environment_file()


def test_nginx_never_passes_the_metrics_on():
    text = NGINX_TEMPLATE.read_text()
    block = text[text.index("location = /metrics {") :]
    block = block[: block.index("}")]
    assert "deny all;" in block and "proxy_pass" not in block and "allow" not in block


def test_nginx_sends_the_apps_permissions_policy_with_the_static_files():
    """nginx answers /static/ itself, and its add_header replaces the app's headers there: the
    template repeats the app's Permissions-Policy (issue 20 finding 6), word for word."""
    from core.security_headers import permissions_policy_header

    wanted = permissions_policy_header(tuple(settings.PERMISSIONS_POLICY))
    static = NGINX_TEMPLATE.read_text().split("location /static/", 1)[1].split("\n    }", 1)[0]
    lines = [line.strip() for line in static.splitlines()]
    assert f'add_header Permissions-Policy "{wanted}" always;' in lines

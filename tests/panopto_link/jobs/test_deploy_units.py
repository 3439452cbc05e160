"""The worker's unit and the Panopto timers in deploy/systemd/ run commands that exist, with the
app server's environment, and each timer has its service."""

import configparser
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

SYSTEMD = Path(__file__).resolve().parents[3] / "deploy" / "systemd"
UNITS = [
    "neptun-portal-worker.service",
    "neptun-panopto-confirm.service",
    "neptun-jobs-sweep.service",
    "neptun-panopto-reconcile.service",
]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name)
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_an_existing_command_with_the_portals_environment(name):
    service = unit(name)["Service"]
    words = shlex.split(service["ExecStart"])
    assert words[:2] == ["/srv/neptun/venv/bin/python", "manage.py"]
    assert words[2] in get_commands()
    assert service["EnvironmentFile"] == "/etc/neptun/portal.env"
    assert service["User"] == "neptun"


@pytest.mark.parametrize("name", [u for u in UNITS if u != "neptun-portal-worker.service"])
def test_each_scheduled_command_has_its_timer(name):
    timer = unit(name.replace(".service", ".timer"))
    assert timer["Timer"]["OnCalendar"]
    assert unit(name)["Service"]["Type"] == "oneshot"

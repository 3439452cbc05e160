"""The worker's unit, the Panopto timers and the eduID metadata timer in deploy/systemd/ run
commands that exist, with the app server's environment, and each timer has its service."""

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
    "neptun-eduid-metadata.service",
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


def test_every_unit_in_the_folder_is_checked_here():
    """A unit added to deploy/systemd/ without a row above would go unchecked."""
    shipped = {path.name for path in SYSTEMD.glob("*.service")} - {"neptun-portal.service"}
    assert shipped == set(UNITS)
    timers = {path.name.replace(".timer", ".service") for path in SYSTEMD.glob("*.timer")}
    assert timers == set(UNITS) - {"neptun-portal-worker.service"}


def test_the_eduid_metadata_is_fetched_every_hour_and_after_downtime():
    """HREF republishes its aggregate every 4 hours and it is valid 7 days (docs/operations.md):
    hourly keeps a fresh copy; a run missed while the host was down runs when it is up."""
    timer = unit("neptun-eduid-metadata.timer")["Timer"]
    assert timer["OnCalendar"] == "hourly"
    assert timer["Persistent"] == "true"
    assert shlex.split(unit("neptun-eduid-metadata.service")["Service"]["ExecStart"])[2:] == [
        "eduid_metadata"
    ]

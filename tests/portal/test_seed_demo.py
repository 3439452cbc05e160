import pytest
from django.apps import apps
from django.core.management import call_command

from panopto_link.selectors import panopto_setting

pytestmark = pytest.mark.django_db

COUNTED = [
    "portal.User",
    "virtualspaces.VirtualSpace",
    "virtualspaces.Membership",
    "panopto_link.PanoptoFolder",
    "panopto_link.FolderLink",
    "panopto_link.PanoptoLicence",
    "panopto_link.PanoptoRegistration",
]


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_seed_demo_twice_gives_the_same_row_counts(capsys):
    call_command("seed_demo")
    first = row_counts()
    output = capsys.readouterr().out
    call_command("seed_demo")
    assert row_counts() == first
    assert first["portal.User"] > 300
    assert first["virtualspaces.VirtualSpace"] > 100
    assert first["panopto_link.FolderLink"] > 0
    assert panopto_setting().licence_valid
    assert "[5/5]" in output
    for account in ("hallgato", "oktato", "itadmin"):
        assert account in output


def test_seed_demo_refuses_under_the_production_settings():
    """It creates the superuser itadmin with the published password `demo`: never in
    production unless forced. Refused before the database is even opened (this one cannot be
    reached)."""
    from tests.portal.test_production import manage, production_env

    result = manage("seed_demo", env=production_env())
    assert result.returncode != 0
    assert "production" in result.stderr and "--force" in result.stderr
    assert "itadmin" in result.stderr


def test_seed_demo_under_production_settings_only_when_forced(settings, capsys):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()
    call_command("seed_demo", force=True)
    assert get_user_model().objects.get(username="itadmin").is_superuser

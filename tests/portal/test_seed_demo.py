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


def test_every_demo_user_has_a_realistic_neptun_code_which_panopto_is_told_to_match_on():
    import re

    from panopto_link.models import PanoptoRegistration
    from panopto_link.simulator.models import PlatformRegistration
    from portal.models import User

    call_command("seed_demo")
    codes = list(User.objects.values_list("neptun_code", flat=True))
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]{5}", code) for code in codes), codes[:5]
    assert len(set(codes)) == len(codes)
    assert User.objects.get(username="hallgato").neptun_code == "HK7Q2D"
    registration = PanoptoRegistration.load()
    assert (
        registration.privacy_level,
        registration.identifier_kind,
        registration.identifier_parameter,
    ) == ("name_and_email", "neptun_code", "neptun_code")
    stand_in = PlatformRegistration.load()
    assert stand_in.username_parameter == "neptun_code"
    assert "lis.person_sourcedid" in stand_in.promised_claim_list


def test_seed_demo_gives_users_seeded_before_neptun_codes_theirs():
    from portal.models import User

    call_command("seed_demo")
    User.objects.update(neptun_code="")
    call_command("seed_demo")
    assert not User.objects.filter(neptun_code="").exists()
    assert User.objects.get(username="oktato").neptun_code == "SZG4T1"


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


def test_seed_demo_prints_a_guest_member_and_a_helpdesk_account_without_superuser_rights(capsys):
    """Issue 25 item 11: besides the three, a guest member and the helpdesk role."""
    from panopto_link.permissions.staff import helpdesk_permissions
    from portal.models import User
    from virtualspaces.models import Membership, MembershipRole

    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "vendeg" in output and "helpdesk" in output
    guest = User.objects.get(username="vendeg")
    assert Membership.objects.filter(
        user=guest, role=MembershipRole.GUEST_MEMBER, space__code__startswith="NPUINF101-EA-"
    ).exists()
    helpdesk = User.objects.get(username="helpdesk")
    assert helpdesk.is_staff and not helpdesk.is_superuser
    assert helpdesk.get_all_permissions() == set(helpdesk_permissions())


def test_seed_demo_speaks_one_language_whatever_the_active_one(capsys):
    """The registration's labels that panopto_configure prints came in Hungarian between
    seed_demo's English lines."""
    from django.utils import translation

    with translation.override("hu"):
        call_command("seed_demo")
    output = capsys.readouterr().out
    assert "client id:" in output
    assert "kliensazonosító" not in output

import pytest
from django.core.management import CommandError, call_command

from panopto_link.models import PanoptoRegistration
from panopto_link.permissions import registration_complete
from panopto_link.selectors import panopto_setting

pytestmark = pytest.mark.django_db

FLAGS = [
    "--client-id=abc",
    "--deployment-id=dep-1",
    "--login-url=https://uni.hosted.panopto.com/Panopto/oidc/login",
    "--launch-url=https://uni.hosted.panopto.com/Panopto/LTI/LTI13.aspx",
    "--redirect-uri=https://uni.hosted.panopto.com/Panopto/LTI/LTI13.aspx",
    "--redirect-uri=https://uni.hosted.panopto.com/Panopto/LTI/LTI13DeepLink.aspx",
    "--jwks-url=https://uni.hosted.panopto.com/Panopto/LTI/jwks",
    "--site-url=https://uni.hosted.panopto.com",
]


def test_configure_creates_a_complete_registration(capsys):
    call_command("panopto_configure", *FLAGS)
    out = capsys.readouterr().out
    registration = PanoptoRegistration.load()
    assert registration_complete(panopto_setting().registration_facts)
    assert registration.redirect_uri_list == [
        "https://uni.hosted.panopto.com/Panopto/LTI/LTI13.aspx",
        "https://uni.hosted.panopto.com/Panopto/LTI/LTI13DeepLink.aspx",
    ]
    assert "Created" in out and "complete" in out


def test_configure_is_idempotent_and_reports_what_changed(capsys):
    call_command("panopto_configure", *FLAGS)
    before = PanoptoRegistration.load().updated_at
    capsys.readouterr()
    call_command("panopto_configure", *FLAGS)
    assert "No changes." in capsys.readouterr().out
    assert PanoptoRegistration.load().updated_at == before
    call_command("panopto_configure", "--deployment-id=dep-2")
    out = capsys.readouterr().out
    assert "dep-1 → dep-2" in out
    assert PanoptoRegistration.objects.count() == 1


def test_deep_linking_url_is_optional_and_configurable():
    call_command("panopto_configure", *FLAGS)
    registration = PanoptoRegistration.load()
    assert registration.deep_linking_target == registration.launch_url
    call_command(
        "panopto_configure",
        "--deep-linking-url=https://uni.hosted.panopto.com/Panopto/LTI/LTI13DeepLink.aspx",
    )
    assert PanoptoRegistration.load().deep_linking_target.endswith("LTI13DeepLink.aspx")


def test_partial_configuration_says_what_is_missing(capsys):
    call_command("panopto_configure", "--client-id=abc")
    out = capsys.readouterr().out
    assert "Still missing" in out and "deployment id" in out


def test_invalid_url_is_refused_and_nothing_saved():
    with pytest.raises(CommandError, match="login_url"):
        call_command("panopto_configure", "--client-id=abc", "--login-url=not a url")
    assert not PanoptoRegistration.objects.exists()


def test_disable_and_enable(capsys):
    call_command("panopto_configure", *FLAGS, "--disable")
    assert not registration_complete(panopto_setting().registration_facts)
    call_command("panopto_configure", "--enable")
    assert registration_complete(panopto_setting().registration_facts)


# --- what Panopto learns, custom parameters, where launches open (issue 12) --------------------

LIVE_FLAGS = [
    "--privacy-level=name",
    "--identifier=neptun_code",
    "--identifier-parameter=neptun_code",
    "--custom=section=$CourseSection.sourcedId",
    "--custom=site=neptun",
    "--opens=new_tab",
    "--production-site",
]


def test_the_live_settings_are_set_from_flags_idempotently(capsys):
    call_command("panopto_configure", *FLAGS, *LIVE_FLAGS)
    registration = PanoptoRegistration.load()
    assert (
        registration.privacy_level,
        registration.identifier_kind,
        registration.identifier_parameter,
        registration.launch_opens,
        registration.is_production_site,
    ) == ("name", "neptun_code", "neptun_code", "new_tab", True)
    assert registration.custom_parameter_items() == (
        ("section", "$CourseSection.sourcedId"),
        ("site", "neptun"),
    )
    capsys.readouterr()
    call_command("panopto_configure", *FLAGS, *LIVE_FLAGS)
    assert "No changes." in capsys.readouterr().out
    call_command("panopto_configure", "--no-custom", "--not-production-site")
    registration = PanoptoRegistration.load()
    assert registration.custom_parameters == "" and not registration.is_production_site


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--custom=Bad Key=1"], "custom_parameters"),
        (["--custom=linked_folders=1"], "custom_parameters"),
        (["--identifier-parameter=Neptun Code"], "identifier_parameter"),
        (["--identifier=email", "--privacy-level=name"], "identifier_kind"),
    ],
)
def test_invalid_live_settings_are_refused_and_nothing_is_written(flags, field):
    call_command("panopto_configure", *FLAGS)
    before = PanoptoRegistration.load().updated_at
    with pytest.raises(CommandError, match=field):
        call_command("panopto_configure", *flags)
    assert PanoptoRegistration.load().updated_at == before


def test_changing_the_identifier_after_launches_needs_confirmation(capsys):
    from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage

    call_command("panopto_configure", *FLAGS, "--identifier=username")
    call_command("panopto_configure", "--identifier=neptun_code")  # no launch yet: no question
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.ACCEPTED, client_id="abc"
    )
    with pytest.raises(CommandError, match="--confirm-identifier-change"):
        call_command("panopto_configure", "--identifier=username")
    assert PanoptoRegistration.load().identifier_kind == "neptun_code"
    call_command("panopto_configure", "--identifier=neptun_code")  # unchanged: no question
    call_command("panopto_configure", "--identifier=username", "--confirm-identifier-change")
    assert PanoptoRegistration.load().identifier_kind == "username"
    assert "new, empty account" in capsys.readouterr().err

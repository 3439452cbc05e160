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

"""Platform keys: creation, rotation without a failed launch, the JWKS, and key secrecy."""

import datetime

import jwt
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from panopto_link.lti_platform import keys
from panopto_link.lti_platform.keys import KeyRotationRefused, keys_ensure, keys_rotate, signing_key
from panopto_link.lti_platform.models import KeyState, PlatformKey
from tests.html import parse
from tests.lti_tool import Pylti1p3Tool, form_fields, query, run_launch, tool_conf

pytestmark = pytest.mark.django_db


def published_kids(client) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


def rotate(**kwargs):
    return keys_rotate(min_next_age_seconds=0, **kwargs)


def test_first_use_creates_a_current_and_a_next_key(client):
    assert PlatformKey.objects.count() == 0
    kids = published_kids(client)
    current = PlatformKey.objects.get(state=KeyState.CURRENT)
    upcoming = PlatformKey.objects.get(state=KeyState.NEXT)
    assert set(kids) == {current.kid, upcoming.kid}
    keys_ensure()
    assert PlatformKey.objects.count() == 2


def test_every_jwks_entry_carries_kid_alg_use(client):
    keys_ensure()
    rotate()
    response = client.get("/.well-known/jwks.json")
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    entries = response.json()["keys"]
    assert len(entries) == 3
    for entry in entries:
        assert entry["kty"] == "RSA" and entry["alg"] == "RS256" and entry["use"] == "sig"
        assert entry["kid"] and entry["n"] and entry["e"] == "AQAB"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(entry)
        # RSA-2048
        assert len(jwt.utils.base64url_decode(entry["n"])) == 256


def test_rotation_moves_every_key_one_state_on():
    keys_ensure()
    first_current = PlatformKey.objects.get(state=KeyState.CURRENT).kid
    first_next = PlatformKey.objects.get(state=KeyState.NEXT).kid
    report = rotate()
    assert report.promoted == first_next and report.demoted == first_current
    assert PlatformKey.objects.get(kid=first_current).state == KeyState.PREVIOUS
    assert PlatformKey.objects.get(kid=first_next).state == KeyState.CURRENT
    assert PlatformKey.objects.get(state=KeyState.NEXT).kid == report.created_next


def test_retired_keys_leave_the_jwks_and_lose_their_private_half(client):
    keys_ensure()
    oldest = PlatformKey.objects.get(state=KeyState.CURRENT).kid
    rotate(grace_seconds=3600)
    assert oldest in published_kids(client)
    later = timezone.now() + datetime.timedelta(hours=2)
    report = rotate(grace_seconds=3600, now=later)
    assert report.retired == [oldest]
    retired = PlatformKey.objects.get(kid=oldest)
    assert retired.state == KeyState.RETIRED and retired.private_key_encrypted == ""
    cache.delete(keys.JWKS_CACHE_KEY)
    assert oldest not in published_kids(client)


def test_previous_key_within_its_grace_period_stays_published(client):
    keys_ensure()
    oldest = PlatformKey.objects.get(state=KeyState.CURRENT).kid
    rotate(grace_seconds=3600)
    rotate(grace_seconds=3600)
    assert PlatformKey.objects.get(kid=oldest).state == KeyState.PREVIOUS
    assert oldest in published_kids(client)


def test_rotation_refuses_to_promote_a_key_tools_may_not_have_seen(settings):
    settings.LTI_JWKS_MAX_AGE = 300
    keys_ensure()
    with pytest.raises(KeyRotationRefused, match="300 s"):
        keys_rotate()
    keys_rotate(now=timezone.now() + datetime.timedelta(seconds=301))


def test_token_signed_before_a_rotation_still_verifies_after_it(client, world, tool):
    world.create_context()
    client.force_login(world.member)
    result = run_launch(client, world.course.pk, tool=tool)
    signed_with = jwt.get_unverified_header(result.fields["id_token"])["kid"]
    rotate()
    # The tool fetches our key set again after the rotation and still finds the old key.
    fresh_tool = Pylti1p3Tool(tool_conf(key_set=client.get("/.well-known/jwks.json").json()))
    launch = fresh_tool.launch(result.fields, result.login.cookies)
    assert launch.get_launch_data()["sub"] == str(world.member.lti_subject)
    assert PlatformKey.objects.get(kid=signed_with).state == KeyState.PREVIOUS


def test_the_new_key_signs_after_a_rotation(client, world, tool):
    world.create_context()
    client.force_login(world.member)
    report = rotate()
    result = run_launch(client, world.course.pk, tool=tool)
    assert jwt.get_unverified_header(result.fields["id_token"])["kid"] == report.promoted


def test_launch_in_the_middle_of_a_rotation_does_not_fail(client, world):
    """The tool cached our key set before the rotation; the click happened before it too;
    the authorization happens after it. The new signing key was already published as next."""
    world.create_context()
    cached_jwks = client.get("/.well-known/jwks.json").json()
    tool_with_old_cache = Pylti1p3Tool(tool_conf(key_set=cached_jwks))
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    login = tool_with_old_cache.login(query(initiation["Location"]))
    report = rotate()
    fields = form_fields(client.get(login.auth_url).content.decode())[1]
    assert jwt.get_unverified_header(fields["id_token"])["kid"] == report.promoted
    assert tool_with_old_cache.launch(fields, login.cookies).check_student_access()


def test_signing_key_is_parsed_once_per_process_until_the_current_key_changes(monkeypatch):
    keys_ensure()
    monkeypatch.setattr(keys, "_signing_key", None)
    parsed = []
    original = keys.serialization.load_pem_private_key

    def counting(*args, **kwargs):
        parsed.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(keys.serialization, "load_pem_private_key", counting)
    first = signing_key()
    for _ in range(5):
        assert signing_key() is first
    assert len(parsed) == 1
    rotate()
    assert signing_key().kid != first.kid
    assert len(parsed) == 2


def test_private_keys_are_encrypted_at_rest():
    keys_ensure()
    stored = PlatformKey.objects.get(state=KeyState.CURRENT).private_key_encrypted
    assert "PRIVATE KEY" not in stored
    assert b"PRIVATE KEY" in keys._decrypt(stored)


def test_private_keys_cannot_be_read_without_the_encryption_key(settings, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    keys_ensure()
    monkeypatch.setattr(keys, "_signing_key", None)
    settings.LTI_KEY_ENCRYPTION_KEYS = ["e-utJ-_UEXc2-AakJcvdXtVU10nJpPxrxqM6AIKOUYE="]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        signing_key()


def test_admin_never_shows_a_private_key(admin_client):
    keys_ensure()
    key = PlatformKey.objects.get(state=KeyState.CURRENT)
    listing = admin_client.get("/admin/lti_platform/platformkey/").content.decode()
    detail = admin_client.get(f"/admin/lti_platform/platformkey/{key.pk}/change/")
    for page in (listing, detail.content.decode()):
        assert key.private_key_encrypted not in page
        assert "PRIVATE KEY" not in page
    assert key.kid in listing


def test_the_key_list_has_a_rotation_button_that_needs_nothing_ticked(admin_client, settings):
    settings.LTI_JWKS_MAX_AGE = 0
    listing = parse(admin_client.get("/admin/lti_platform/platformkey/", HTTP_ACCEPT_LANGUAGE="en"))
    form = listing.find("form", action="/admin/lti_platform/platformkey/rotate/")
    assert form.attrs["method"] == "post"
    assert form.find("button").text == "Rotate the signing keys"
    assert listing.find("select", name="action") is None  # no action to tick rows for
    old_current = PlatformKey.objects.get(state=KeyState.CURRENT)
    assert admin_client.get(form.attrs["action"]).status_code == 405
    response = admin_client.post(form.attrs["action"], follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    old_current.refresh_from_db()
    assert old_current.state == KeyState.PREVIOUS
    assert "signs now" in response.content.decode()


def test_staff_without_the_permission_cannot_rotate(client):
    from tests.factories import UserFactory

    keys_ensure()
    client.force_login(UserFactory(is_staff=True))
    assert client.post("/admin/lti_platform/platformkey/rotate/").status_code == 403
    assert PlatformKey.objects.filter(state=KeyState.PREVIOUS).count() == 0


def test_rotate_command(capsys, settings):
    settings.LTI_JWKS_MAX_AGE = 300
    call_command("lti_rotate_key")  # creates the first set
    out = capsys.readouterr().out
    assert "Signing key (current)" in out
    with pytest.raises(CommandError, match="--force"):
        call_command("lti_rotate_key")
    call_command("lti_rotate_key", "--force", "--grace-period", "0")
    out = capsys.readouterr().out
    assert "Previous key" in out and "3 keys published" in out
    call_command("lti_rotate_key", "--force", "--grace-period", "0")
    assert "Retired:" in capsys.readouterr().out


def test_openid_configuration_describes_the_platform(client):
    document = client.get("/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver"
    assert document["authorization_endpoint"] == "http://testserver/lti/authorize/"
    assert document["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["response_types_supported"] == ["id_token"]
    assert document["scopes_supported"] == ["openid"]
    assert "https://purl.imsglobal.org/spec/lti/claim/context" in document["claims_supported"]
    block = document["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert block["product_family_code"] == "neptun-panopto"
    assert {m["type"] for m in block["messages_supported"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    # The advertised JWKS is the one that serves our keys.
    assert Client().get("/.well-known/jwks.json").json()["keys"]

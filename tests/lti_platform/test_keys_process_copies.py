"""What each app-server process keeps of the keys (a few seconds of the key set and of which
key is current), and why a stale copy never makes a launch fail."""

import time

import jwt
import pytest
from django.core.cache import cache

from panopto_link.lti.jwks import sign
from panopto_link.lti_platform import keys
from panopto_link.lti_platform.keys import keys_ensure, keys_rotate, signing_key
from panopto_link.lti_platform.models import KeyState, PlatformKey

pytestmark = pytest.mark.django_db


def published_kids(client) -> set[str]:
    return {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}


def as_another_process(copy: keys.SigningKey) -> None:
    """Make this process hold `copy` as if it had last asked the database just now."""
    keys._signing_key = copy
    keys._signing_key_checked_at = time.monotonic()


def test_the_key_set_is_read_once_per_few_seconds_not_once_per_request(
    client, django_assert_num_queries
):
    keys_ensure()
    client.get("/.well-known/jwks.json")
    cache.clear()  # not even the shared cache is asked while this process's copy is fresh
    with django_assert_num_queries(0):
        assert client.get("/.well-known/jwks.json").status_code == 200


def test_tools_may_keep_the_key_set_only_as_long_as_counted_from_when_it_was_read(client, settings):
    settings.LTI_JWKS_MAX_AGE = 300
    keys_ensure()
    document, _age = keys.jwks_document()
    keys._jwks_in_process = (time.monotonic(), time.time() - 20, document)
    assert client.get("/.well-known/jwks.json")["Cache-Control"] == "public, max-age=280"
    keys._jwks_in_process = (time.monotonic(), time.time() - 400, document)
    assert client.get("/.well-known/jwks.json")["Cache-Control"] == "public, max-age=0"


def test_a_rotation_in_this_process_is_seen_at_once(client, django_capture_on_commit_callbacks):
    keys_ensure()
    before = signing_key()
    published_kids(client)
    with django_capture_on_commit_callbacks(execute=True):  # clears the shared copy on commit
        report = keys_rotate(min_next_age_seconds=0)
    assert signing_key().kid == report.promoted != before.kid
    assert report.created_next in published_kids(client)


def test_a_rotation_in_another_process_is_seen_within_seconds_and_verifies_meanwhile(client):
    keys_ensure()
    stale = signing_key()
    report = keys_rotate(min_next_age_seconds=0)
    as_another_process(stale)
    # Until its next look at the database the process signs with the key that just became
    # previous — still published, so the token verifies against the key set.
    assert signing_key() is stale
    assert PlatformKey.objects.get(kid=stale.kid).state == KeyState.PREVIOUS
    token = sign({"sub": "x"}, private_key=stale.private_key, kid=stale.kid)
    published = client.get("/.well-known/jwks.json").json()["keys"]
    jwk = next(key for key in published if key["kid"] == jwt.get_unverified_header(token)["kid"])
    jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"])
    keys._signing_key_checked_at -= keys.SIGNING_KEY_CHECK_SECONDS
    assert signing_key().kid == report.promoted


def test_the_current_kid_is_asked_for_once_per_few_seconds(django_assert_num_queries):
    keys_ensure()
    signing_key()
    with django_assert_num_queries(0):
        for _ in range(5):
            signing_key()

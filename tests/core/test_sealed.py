"""The portal's one sealing scheme (core.sealed, issue 22): the platform's hints and
deep-linking data and the deep-linking outcome on its way to the portal's page all use it."""

import base64
import hashlib
import json
import time

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from core.sealed import Unsealable, seal, unseal


@pytest.mark.parametrize("compress", [False, True])
def test_a_sealed_value_opens_for_its_purpose_only(compress):
    token = seal("videos_linked", [1, "Árvíztűrő 😀"], compress=compress)
    assert unseal("videos_linked", token, max_age=60, compress=compress) == [1, "Árvíztűrő 😀"]
    with pytest.raises(Unsealable) as other:
        unseal("hint", token, max_age=60, compress=compress)
    assert not other.value.expired


def test_an_altered_or_expired_value_does_not_open():
    token = seal("hint", {"space": 1})
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(Unsealable) as invalid:
        unseal("hint", altered, max_age=60)
    assert not invalid.value.expired
    old = seal("hint", {"space": 1}, timestamp=int(time.time()) - 120)
    with pytest.raises(Unsealable) as expired:
        unseal("hint", old, max_age=60)
    assert expired.value.expired


def test_a_value_sealed_by_the_previous_release_still_opens():
    """During a release, a hint the previous release sealed (lti_platform/sealed.py's own
    Fernet key for the purpose) reaches this one: the key derivation is the same."""
    digest = hashlib.sha256(b"panopto_link.message_hint:" + settings.SECRET_KEY.encode()).digest()
    previous = Fernet(base64.urlsafe_b64encode(digest))
    token = previous.encrypt(json.dumps({"space": 7}, separators=(",", ":")).encode()).decode()
    assert unseal("message_hint", token, max_age=60) == {"space": 7}

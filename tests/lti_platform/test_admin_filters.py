"""The admin's list filters reveal nothing its pages do not show (issue 15, finding 8): Django
lets a list be filtered on any field of its own model from the URL, and a staff member who
could only view the platform keys walked `?private_key_encrypted__startswith=` one character
at a time to the stored value. Secret fields are not filterable in any admin of the project."""

import re
import string

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client

from panopto_link.lti_platform.keys import keys_ensure
from panopto_link.lti_platform.models import KeyState, PlatformKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/lti_platform/platformkey/"
# Fields that hold a secret (or its hash): no list may be filtered on them.
SECRET_FIELD = re.compile(r"password|private|secret|token|_encrypted|_pem$")


@pytest.fixture
def key_viewer() -> Client:
    """Staff who may view the platform keys and nothing more."""
    user = UserFactory(username="KEYVIEW", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_platformkey"))
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> int:
    return len(
        set(
            re.findall(
                r'href="/admin/lti_platform/platformkey/(\d+)/change/', response.content.decode()
            )
        )
    )


def test_view_only_staff_cannot_filter_the_keys_on_the_encrypted_private_key(key_viewer):
    keys_ensure()
    assert rows(key_viewer.get(CHANGELIST)) == 2  # the current and the next key
    response = key_viewer.get(
        CHANGELIST + "?private_key_encrypted__startswith=gAAAAA", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "could not understand the request" in response.content.decode()


def test_the_stored_value_cannot_be_walked_character_by_character(key_viewer):
    keys_ensure()
    stored = PlatformKey.objects.get(state=KeyState.CURRENT).private_key_encrypted
    prefix = stored[:8]
    for character in string.ascii_letters[:5]:
        response = key_viewer.get(
            f"{CHANGELIST}?private_key_encrypted__startswith={prefix}{character}"
        )
        assert response.status_code == 400
    for lookup in ("private_key_encrypted__regex=^g", "private_key_encrypted__contains=A"):
        assert key_viewer.get(f"{CHANGELIST}?{lookup}").status_code == 400


def test_the_keys_own_filter_still_works(key_viewer):
    keys_ensure()
    response = key_viewer.get(CHANGELIST + "?state__exact=current")
    assert response.status_code == 200 and rows(response) == 1


def test_no_admin_of_the_project_filters_on_a_secret_field(admin_client):
    """Every registered admin, every field whose name says it holds a secret; a superuser."""
    keys_ensure()
    checked = []
    for model in admin.site._registry:
        for field in model._meta.concrete_fields:
            if not SECRET_FIELD.search(field.name):
                continue
            opts = model._meta
            url = f"/admin/{opts.app_label}/{opts.model_name}/?{field.name}__startswith=a"
            assert admin_client.get(url).status_code == 400, url
            checked.append(f"{opts.label}.{field.name}")
    assert {"portal.User.password", "lti_platform.PlatformKey.private_key_encrypted"} <= set(
        checked
    )

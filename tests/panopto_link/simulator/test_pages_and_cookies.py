"""The stand-in's cookies, its own session, its pages and its JWKS, and where it is served."""

import importlib
import sys

import jwt
import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

from panopto_link.simulator.lti import tool_conf
from panopto_link.simulator.models import Folder, FolderAccess, FolderRole, ToolUser
from panopto_link.simulator.services import _folder_create
from tests.lti_tool import CLIENT_ID, ISSUER, query
from tests.panopto_link.simulator.conftest import LOGIN_PATH, launch_through_portal
from tests.panopto_link.simulator.test_strictness import login_params

pytestmark = pytest.mark.django_db


def assert_cross_site_cookie(morsel) -> None:
    """The attributes a cookie needs to arrive with the platform's cross-site form post."""
    assert morsel["samesite"] == "None"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["path"] == "/panopto-sim/"


def test_state_cookie_is_samesite_none_and_secure_even_over_http(client, standin):
    response = client.get(LOGIN_PATH, login_params())
    state = query(response["Location"])["state"]
    cookie = response.cookies[f"lti1p3-{state}"]
    assert cookie.value == state
    assert_cross_site_cookie(cookie)


def test_session_cookie_is_the_stand_ins_own(world, standin):
    client = Client()
    answer = launch_through_portal(client, world.admin, world.course)
    assert set(answer.cookies) == {"panopto_sim_session"}  # never the portal's sessionid
    assert_cross_site_cookie(answer.cookies["panopto_sim_session"])
    assert client.cookies["sessionid"].value != answer.cookies["panopto_sim_session"].value


def test_stand_in_ignores_the_portals_session(world, standin):
    client = Client()
    client.force_login(world.admin)  # signed in to the portal, never launched
    response = client.get("/panopto-sim/")
    assert response.status_code == 403
    assert "sim-folders" not in response.content.decode()


def test_signing_out_of_the_stand_in_ends_its_session_only(world, standin):
    client = Client()
    answer = launch_through_portal(client, world.admin, world.course)
    assert client.get(answer["Location"]).status_code == 200
    client.post("/panopto-sim/sign-out/")
    assert client.get(answer["Location"]).status_code == 403
    assert client.get("/").status_code == 200  # still signed in to the portal


def test_a_folder_the_user_may_not_enter_answers_404(world, standin):
    client = Client()
    launch_through_portal(client, world.admin, world.course)
    stranger = ToolUser.objects.create(issuer=ISSUER, subject="someone-else")
    other = _folder_create(context_id="other-context", title="Más", label="X1", creator=stranger)
    assert client.get(f"/panopto-sim/folders/{other.public_id}/").status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/panopto-sim/folders/{unknown}/").status_code == 404


def test_dashboard_query_count_does_not_grow_with_the_folders(
    world, standin, django_assert_num_queries
):
    client = Client()
    answer = launch_through_portal(client, world.admin, world.course)
    user = ToolUser.objects.get()

    def add_folders(count: int, start: int) -> None:
        for number in range(start, start + count):
            folder = _folder_create(
                context_id=f"context-{number}",
                title=f"Tárgy {number}",
                label=f"T{number}",
                creator=user,
            )
            FolderAccess.objects.create(user=user, folder=folder, role=FolderRole.VIEWER)

    add_folders(3, 0)
    # The session, its user, the user's roles (own grants and groups), the folder, its
    # recordings, the folders listed.
    with django_assert_num_queries(6) as first:
        assert client.get(answer["Location"]).status_code == 200
    add_folders(6, 3)
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(answer["Location"])
    assert page.content.decode().count('class="sim-folders__link"') == 10


def test_stand_in_jwks_publishes_the_key_pylti1p3_signs_with(standin):
    document = Client().get("/panopto-sim/jwks.json").json()
    registration = tool_conf(standin).find_registration_by_params(ISSUER, CLIENT_ID)
    assert [key["kid"] for key in document["keys"]] == [registration.get_kid()]
    public_key = jwt.PyJWK(document["keys"][0]).key
    token = jwt.encode(
        {"iss": CLIENT_ID},
        registration.get_tool_private_key(),
        algorithm="RS256",
        headers={"kid": registration.get_kid()},
    )
    assert jwt.decode(token, public_key, algorithms=["RS256"]) == {"iss": CLIENT_ID}


def test_unconfigured_stand_in_says_so(db):
    response = Client().get(LOGIN_PATH, login_params())
    assert response.status_code == 503
    assert 'data-refusal="not_configured"' in response.content.decode()
    assert not Folder.objects.exists()


def test_stand_in_is_not_served_without_the_setting(settings):
    import portal.urls

    settings.PANOPTO_SIMULATOR = False
    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        with pytest.raises(NoReverseMatch):
            reverse("panopto_simulator:dashboard")
    finally:
        settings.PANOPTO_SIMULATOR = True
        importlib.reload(portal.urls)
        clear_url_caches()
    assert reverse("panopto_simulator:dashboard") == "/panopto-sim/"


def test_production_settings_do_not_install_the_stand_in(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("LTI_ISSUER", "https://neptun.example.edu")
    monkeypatch.setenv("LTI_KEY_ENCRYPTION_KEY", "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=")
    monkeypatch.setenv("DATABASE_URL", "postgres://neptun@db.example.edu:5432/neptun")
    monkeypatch.setenv("CACHE_URL", "redis://cache.example.edu:6379/0")
    monkeypatch.delitem(sys.modules, "portal.settings.production", raising=False)
    production = importlib.import_module("portal.settings.production")
    monkeypatch.delitem(sys.modules, "portal.settings.production")
    assert "panopto_link.simulator" not in production.INSTALLED_APPS
    assert production.PANOPTO_SIMULATOR is False


def test_stand_in_admin_pages_render(admin_client, world, standin):
    launch_through_portal(Client(), world.admin, world.course)
    folder = Folder.objects.get()
    assert admin_client.get("/admin/panopto_simulator/folder/").status_code == 200
    page = admin_client.get(f"/admin/panopto_simulator/folder/{folder.pk}/change/")
    assert page.status_code == 200 and folder.name in page.content.decode()
    assert "1. előadás – Bevezetés" in page.content.decode()
    assert admin_client.get("/admin/panopto_simulator/platformregistration/").status_code == 200


@pytest.mark.parametrize(
    ("locale", "language"),
    [("en-GB", "en"), ("en_US", "en"), ("hu", "hu"), ("de", "hu"), ("", "hu")],
)
def test_stand_in_speaks_the_launchs_language_or_its_default(locale, language):
    from panopto_link.lti import claims
    from panopto_link.simulator.views import _launch_locale

    assert _launch_locale({claims.LAUNCH_PRESENTATION: {"locale": locale}}) == language

"""Text PostgreSQL cannot store (a NUL character) in any parameter of any page is refused with
the portal's 400 page before a view can hand it to the database — where it made PostgreSQL
fail the query and the page answer 500 (issue 15: `GET /spaces/public/?q=%00`). The LTI
protocol endpoints answer such input in the protocol's own terms instead (SPEC §5.2)."""

import pytest
from django.test import Client

from tests.core.test_errors import assert_error_page
from tests.factories import SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def it_administrator():
    client = Client()
    client.force_login(UserFactory(username="itadmin", is_staff=True, is_superuser=True))
    return client


GET_PAGES = [
    "/spaces/public/?q=%00",
    "/spaces/public/?q=Anal%00zis",
    "/spaces/public/?page=%00",
    "/spaces/public/?q=x&%00=y",
    "/studies/information/panopto/?semester=2026%00",
    "/studies/information/?next=%00",
    "/?x=%00",
]


@pytest.mark.parametrize("path", GET_PAGES)
def test_a_nul_in_a_query_parameter_gets_the_400_page(student, path):
    SpaceFactory(is_public=True, name="Analízis")
    response = student.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 400, "could not understand the request")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/virtualspaces/virtualspace/?q=%00",
        "/admin/portal/user/?q=ab%00",
        "/admin/lti_platform/launchrecord/?reason=%00",
        "/admin/virtualspaces/membership/?space__semester=%00",
        "/admin/portal/user/%00/change/",
    ],
)
def test_a_nul_in_an_admin_parameter_gets_the_400_page(it_administrator, path):
    response = it_administrator.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 400, "could not understand the request")


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/sign-in/", {"username": "ABC\x00123", "password": "x"}),
        ("/sign-in/", {"username": "ABC123", "password": "x", "next": "/\x00"}),
        ("/panopto/launch/{space}/", {"folder": "\x00"}),
        ("/i18n/setlang/", {"language": "hu\x00", "next": "/"}),
    ],
)
def test_a_nul_in_a_form_field_gets_the_400_page(student, path, data):
    space = SpaceFactory()
    response = student.post(path.format(space=space.pk), data, HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(response, 400, "could not understand the request")


def test_the_400_page_speaks_the_users_language(student):
    response = student.get("/spaces/public/?q=%00", HTTP_ACCEPT_LANGUAGE="hu")
    assert response.status_code == 400 and 'lang="hu"' in response.content.decode()


def test_other_control_characters_are_the_views_to_judge(student):
    """Only what the database cannot store is refused here: a tab or an escape character in a
    search is text PostgreSQL stores and compares like any other."""
    assert student.get("/spaces/public/?q=a%09b%1b").status_code == 200

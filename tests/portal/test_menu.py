"""The menu's Studies → Information → Panopto item follows the licence, per request."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import LicenceFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def menu_item(client):
    document = parse(client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en"))
    return document.find("a", data_menu_item="panopto")


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def test_menu_item_is_shown_with_a_valid_licence(signed_in, licence):
    item = menu_item(signed_in)
    assert item is not None and item.attrs["href"] == reverse("panopto_link:studies_panopto")


def test_menu_item_is_hidden_without_a_licence(signed_in):
    assert menu_item(signed_in) is None


@pytest.mark.parametrize("is_enabled", [True, False])
def test_menu_item_follows_the_licence_dates_without_a_restart(signed_in, monkeypatch, is_enabled):
    LicenceFactory(valid_from=TODAY, valid_until=TODAY, is_enabled=is_enabled)
    for day, expected in [
        (TODAY - datetime.timedelta(days=1), False),
        (TODAY, is_enabled),
        (TODAY + datetime.timedelta(days=1), False),
    ]:
        monkeypatch.setattr(timezone, "localdate", lambda *args, day=day, **kwargs: day)
        assert (menu_item(signed_in) is not None) is expected


def test_licence_changes_take_effect_on_the_next_request(signed_in):
    licence = LicenceFactory()
    assert menu_item(signed_in) is not None
    licence.is_enabled = False
    licence.save()
    assert menu_item(signed_in) is None


def test_information_page_lists_panopto_only_with_a_licence(signed_in):
    url = reverse("portal:studies_information")
    panopto = reverse("panopto_link:studies_panopto")
    document = parse(signed_in.get(url))
    assert document.find("a", class_="tile__link", href=panopto) is None
    LicenceFactory()
    document = parse(signed_in.get(url))
    assert document.find("a", class_="tile__link", href=panopto) is not None


def test_the_licence_is_asked_once_per_page(
    signed_in, licence, registration, django_assert_num_queries
):
    # session + user, then one query for the registration with the licence, shared by the menu
    # and the page's tile
    with django_assert_num_queries(3):
        signed_in.get(reverse("portal:studies_information"))


def test_pages_without_a_menu_do_not_ask_for_the_licence(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("portal:sign_in"))
    assert response.status_code == 200


def test_current_page_is_marked_in_the_menu(signed_in, licence):
    document = parse(signed_in.get(reverse("panopto_link:studies_panopto")))
    current = document.find("nav", class_="main-menu").find_all(aria_current="page")
    assert [element.attrs["href"] for element in current] == [
        reverse("panopto_link:studies_panopto")
    ]


@pytest.mark.parametrize(
    "url_name", ["portal:home", "portal:studies_information", "virtualspaces:public_spaces"]
)
def test_every_page_has_the_language_switch_back_to_itself(signed_in, url_name):
    url = reverse(url_name) + "?q=x"
    form = parse(signed_in.get(url)).find("form", class_="language-switch")
    assert form.attrs["action"] == reverse("set_language")
    assert form.find("input", name="next").attrs["value"] == url
    assert [b.attrs["value"] for b in form.find_all("button")] == ["hu", "en"]


def test_switching_the_language_keeps_the_page(signed_in, licence):
    page = reverse("panopto_link:studies_panopto") + "?semester="
    response = signed_in.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    document = parse(signed_in.get(page))
    assert document.find("html").attrs["lang"] == "en"
    assert document.find("h1").text == "Panopto lecture recordings"
    signed_in.post(reverse("set_language"), {"language": "hu", "next": page})
    assert parse(signed_in.get(page)).find("h1").text == "Panopto előadásfelvételek"

"""Issue 25 item 12: the stand-in names people as Panopto keeps them — a given and a family name
apart (its `User`: FirstName, LastName), from a launch's `given_name` and `family_name` or from
`SyncExternalUser(firstName, lastName)` — and writes them in the order of its page's language
(family name first in Hungarian). It never splits the `name` claim, whose order is the platform's
(docs/connecting-panopto.md, section 5)."""

import pytest
from django.test import Client
from django.utils import translation
from lxml import etree  # type: ignore[import-untyped]

from panopto_link.simulator import soap
from panopto_link.simulator.models import Folder, ToolUser
from panopto_link.simulator.services import user_sync_external
from tests.html import parse
from tests.panopto_link.simulator.conftest import launch_through_portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanna(world):
    world.member.first_name, world.member.last_name = "Hanna", "Kovács"
    world.member.save()
    return world.member


def enter(user, space, language: str):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    answer = launch_through_portal(client, user, space)
    assert answer.status_code == 303, answer.content.decode()
    return parse(client.get(answer["Location"]).content.decode())


@pytest.mark.parametrize(("language", "shown"), [("hu", "Kovács Hanna"), ("en", "Hanna Kovács")])
def test_the_stand_in_keeps_the_two_names_apart_and_shows_them_in_its_pages_order(
    world, standin, hanna, language, shown
):
    enter(world.admin, world.course, language)  # the folder exists
    page = enter(hanna, world.course, language)
    assert page.find(class_="sim-header__user").text == shown
    user = ToolUser.objects.get(subject=str(hanna.lti_subject))
    assert (user.first_name, user.last_name, user.name) == ("Hanna", "Kovács", shown)


@pytest.mark.parametrize(("language", "shown"), [("hu", "Kovács Hanna"), ("en", "Hanna Kovács")])
def test_the_order_of_the_name_claim_does_not_decide_what_the_stand_in_shows(language, shown):
    # A platform that orders `name` another way (or always given name first) is shown alike.
    for sent in ("Hanna Kovács", "Kovács Hanna"):
        user = ToolUser(first_name="Hanna", last_name="Kovács", name=sent)
        with translation.override(language):
            assert user.display_name == str(user) == shown


def test_a_name_claim_alone_is_shown_as_sent_never_split():
    user = ToolUser(username="HK7Q2D", name="Vásárhelyi-Nagy Kristóf Benedek")
    for language in ("hu", "en"):
        with translation.override(language):
            assert str(user) == "Vásárhelyi-Nagy Kristóf Benedek"
    assert str(ToolUser(username="HK7Q2D", subject="s-1")) == "HK7Q2D"


def user_fields(user: ToolUser) -> dict[str, str | None]:
    element = soap._user_xml(user, "Neptun")
    return {etree.QName(child).localname: child.text for child in element}


def test_the_api_keeps_the_names_it_was_given_and_answers_them_apart():
    user = user_sync_external(
        provider_name="Neptun",
        username="VNKB01",
        first_name="Kristóf Benedek",
        last_name="Vásárhelyi-Nagy",
        email="vnkb@example.edu",
        external_group_ids=[],
    )
    fields = user_fields(user)
    assert (fields["FirstName"], fields["LastName"]) == ("Kristóf Benedek", "Vásárhelyi-Nagy")
    with translation.override("hu"):
        assert str(user) == "Vásárhelyi-Nagy Kristóf Benedek"
    # A sync without a name keeps the names Panopto has.
    user_sync_external(
        provider_name="Neptun",
        username="VNKB01",
        first_name="",
        last_name="",
        email="",
        external_group_ids=[],
    )
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == (
        "Kristóf Benedek",
        "Vásárhelyi-Nagy",
        "vnkb@example.edu",
    )


@pytest.mark.parametrize(("language", "shown"), [("hu", "Kovács Hanna"), ("en", "Hanna Kovács")])
def test_the_stand_ins_admin_lists_people_in_the_admins_language(
    admin_client, settings, world, standin, hanna, language, shown
):
    enter(world.admin, world.course, "hu")
    enter(hanna, world.course, "hu")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    folder = Folder.objects.get(context_id=world.folder().context_id)
    page = parse(
        admin_client.get(f"/admin/panopto_simulator/folder/{folder.pk}/change/").content.decode()
    )
    people = [cell.text for cell in page.find_all("td", class_="field-user")]
    assert shown in people
    listed = parse(admin_client.get("/admin/panopto_simulator/tooluser/").content.decode())
    assert shown in [cell.text for cell in listed.find_all("td", class_="field-display_name")]

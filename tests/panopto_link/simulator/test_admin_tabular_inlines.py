"""Issue 25 items 6 and 12: the admin's tabular inlines (templates/admin/edit_inline/tabular.html;
the stand-in's folder page has two) leave no table header empty — the rows' name column and the
delete column say what they are, translated, to screen readers only — and scroll in a region of
their own that the keyboard reaches, named by the inline's heading."""

import pytest
from django.test import Client

from panopto_link.simulator.models import Folder
from tests.html import parse
from tests.panopto_link.simulator.conftest import launch_through_portal

pytestmark = pytest.mark.django_db

# The two inlines of the stand-in's folder page: (heading, the rows' name column).
INLINES = {
    "hu": [
        ("Hozzáférések a helyettesítő mappáihoz", "Hozzáférés a helyettesítő mappájához"),
        ("A helyettesítő felvételei", "A helyettesítő felvétele"),
    ],
    "en": [
        ("Stand-in folder accesses", "Stand-in folder access"),
        ("Stand-in recordings", "Stand-in recording"),
    ],
}
DELETE = {"hu": "Törlés", "en": "Delete"}


@pytest.mark.parametrize("language", ["hu", "en"])
def test_no_header_of_a_tabular_inline_is_empty(admin_client, settings, world, standin, language):
    launch_through_portal(Client(), world.admin, world.course)
    folder = Folder.objects.get()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = parse(
        admin_client.get(f"/admin/panopto_simulator/folder/{folder.pk}/change/").content.decode()
    )
    groups = page.find_all("div", class_="inline-group")
    assert len(groups) == len(INLINES[language])
    for group, (heading, row_name) in zip(groups, INLINES[language], strict=True):
        headers = group.find("table").find("thead").find_all("th")
        assert all(th.text for th in headers), [th.text for th in headers]
        first, last = headers[0], headers[-1]
        assert first.find("span", class_="visually-hidden").text == row_name
        assert last.find("span", class_="visually-hidden").text == DELETE[language]
        region = group.find("div", class_="table-scroll")
        assert (region.attrs["tabindex"], region.attrs["role"]) == ("0", "region")
        assert page.by_id(region.attrs["aria-labelledby"]).text == heading

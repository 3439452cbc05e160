"""The accessibility statement (issue 25 item 13): the model statement's sections in both
languages, its facts from settings, and its link in every page's footer."""

import datetime
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from core import errors
from portal.settings.accessibility import env_date
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The model statement's sections, in its order (implementing decision (EU) 2018/1523, annex).
SECTIONS = {
    "hu": [
        "Megfelelőségi státusz",
        "Nem akadálymentes tartalom",
        "Az akadálymentességi nyilatkozat elkészítése",
        "Visszajelzés és elérhetőségek",
        "Végrehajtási eljárás",
    ],
    "en": [
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
        "Feedback and contact information",
        "Enforcement procedure",
    ],
}


@pytest.fixture
def statement_settings(settings):
    settings.ACCESSIBILITY_INSTITUTION_HU = "Példa Tudományegyetem"
    settings.ACCESSIBILITY_INSTITUTION_EN = "University of Example"
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@uni.example"
    settings.ACCESSIBILITY_CONTACT_ADDRESS = "6720 Szeged, Minta tér 2."
    settings.ACCESSIBILITY_CONTACT_PHONE = ""
    settings.ACCESSIBILITY_STATEMENT_PREPARED = datetime.date(2026, 9, 1)
    settings.ACCESSIBILITY_LAST_ASSESSED = datetime.date(2026, 12, 3)
    settings.ACCESSIBILITY_ENFORCEMENT_URL = "https://enforcement.example/"
    return settings


def headings(page: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", page)


@pytest.mark.parametrize(
    ("language", "institution", "prepared", "assessed"),
    [
        ("hu", "Példa Tudományegyetem", "2026. szeptember 1.", "2026. december 3."),
        ("en", "University of Example", "1 September 2026", "3 December 2026"),
    ],
)
def test_the_statement_follows_the_model_with_the_settings_facts(
    client, statement_settings, language, institution, prepared, assessed
):
    client.cookies["django_language"] = language
    response = client.get(reverse("portal:accessibility"))
    assert response.status_code == 200  # signed out: the statement is public
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert headings(page) == SECTIONS[language]
    assert institution in page
    assert '<a href="mailto:a11y@uni.example">a11y@uni.example</a>' in page
    assert "6720 Szeged, Minta tér 2." in page
    assert prepared in page and assessed in page
    assert "EN 301 549" in page and "WCAG 2.1" in page and "axe-core" in page
    assert '<a href="https://enforcement.example/">' in page
    assert "http://testserver/" in page  # the website it applies to


def test_the_telephone_is_shown_only_where_set(client, statement_settings):
    client.cookies["django_language"] = "en"
    assert "Telephone" not in client.get(reverse("portal:accessibility")).content.decode()
    statement_settings.ACCESSIBILITY_CONTACT_PHONE = "+36 62 000 000"
    page = client.get(reverse("portal:accessibility")).content.decode()
    assert "<dt>Telephone</dt><dd>+36 62 000 000</dd>" in page


def footer_link(page: str) -> bool:
    footer = re.search(r"<footer.*?</footer>", page, re.S)
    return footer is not None and f'href="{reverse("portal:accessibility")}"' in footer.group()


def test_every_kind_of_page_links_the_statement_in_its_footer(client, admin_client):
    assert footer_link(client.get(reverse("portal:sign_in")).content.decode())
    assert footer_link(client.get("/no-such-page/").content.decode())
    request = RequestFactory().get("/")
    assert footer_link(errors.server_error(request).content.decode())
    assert footer_link(admin_client.get(reverse("admin:index")).content.decode())
    client.force_login(UserFactory())
    assert footer_link(client.get(reverse("portal:home")).content.decode())
    assert footer_link(client.get(reverse("portal:accessibility")).content.decode())


def test_a_date_setting_that_is_no_date_stops_the_start(monkeypatch):
    monkeypatch.setenv("ACCESSIBILITY_LAST_ASSESSED", "7 December")
    with pytest.raises(ImproperlyConfigured, match="ACCESSIBILITY_LAST_ASSESSED"):
        env_date("ACCESSIBILITY_LAST_ASSESSED", default="2026-12-07")
    monkeypatch.setenv("ACCESSIBILITY_LAST_ASSESSED", "2026-11-30")
    assert env_date("ACCESSIBILITY_LAST_ASSESSED", default="2026-12-07") == datetime.date(
        2026, 11, 30
    )

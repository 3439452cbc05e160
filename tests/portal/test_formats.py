"""Dates as each language writes them (portal/formats): "2026. 11. 10." in Hungarian pages and
the admin, "2026-11-10" in English, and the admin's date fields read back what they show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from panopto_link.models import PanoptoLicence
from tests.factories import UserFactory
from tests.html import parse

DAY = datetime.date(2026, 11, 10)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [("hu", "2026. 11. 10.", "2026. november 10."), ("en", "2026-11-10", "10 November 2026")],
)
def test_dates_in_each_language(language, short, long):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(DAY) == long


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("hu", "2026. 11. 10."), ("en", "2026-11-10")])
def test_the_admins_date_fields_show_and_read_the_languages_dates(client, language, shown):
    licence = PanoptoLicence.objects.create(valid_from=DAY, valid_until=DAY)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:panopto_link_panoptolicence_change", args=[licence.pk])
    form = parse(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert form.find("input", name="valid_from").attrs["value"] == shown
    response = client.post(
        url,
        {"is_enabled": "on", "valid_from": shown, "valid_until": shown, "note": "ok"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    licence.refresh_from_db()
    assert (licence.valid_from, licence.note) == (DAY, "ok")

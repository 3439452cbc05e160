"""core.dates: the compiled short date is the very text Django's date_format gives, in every
language the portal speaks and for formats it cannot compile."""

import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format

from core.dates import _template, short_date_formatter

DATES = [
    datetime.date(2026, 1, 5),
    datetime.date(2027, 12, 31),
    datetime.date(2009, 9, 9),
    datetime.datetime(2026, 3, 4, 23, 59),
]


@pytest.mark.parametrize("language", ["hu", "en"])
def test_the_portals_languages_give_djangos_text(language):
    with translation.override(language):
        short_date = short_date_formatter()
        for value in DATES:
            assert short_date(value) == date_format(value, "SHORT_DATE_FORMAT")


@pytest.mark.parametrize(
    "django_format", ["Y-m-d", "Y. m. d.", "d/m/Y", "j.n.y", "m/d/Y", "D, d M Y", r"\Y Y", "N j, Y"]
)
def test_any_format_gives_djangos_text(settings, django_format):
    settings.SHORT_DATE_FORMAT = django_format
    settings.FORMAT_MODULE_PATH = None
    with translation.override(None):
        short_date = short_date_formatter()
        for value in DATES:
            assert short_date(value) == date_format(value, "SHORT_DATE_FORMAT")


def test_only_day_month_and_year_are_compiled():
    assert _template("Y. m. d.") == "{0.year:04d}. {0.month:02d}. {0.day:02d}."
    assert _template("D, d M Y") is None  # a weekday and a month's name: Django's way

"""Dates in the active language's short format, for pages that show many of them.

`django.utils.formats.date_format` reads the format and interprets it character by character
at every call: on the Panopto page's hundred-odd recording dates it was a fifth of the
recordings' cost. `short_date_formatter()` reads the format once and, when it is made of the
day, month and year only (as the portal's own formats are, portal/formats/), compiles it into a
`str.format` template; any other format keeps Django's way, so the text is the same either way.
"""

import datetime
from collections.abc import Callable

from django.utils.formats import date_format, get_format

# Django's format characters that a template can give without a calendar: day and month with
# and without a leading zero, the four- and two-digit year.
_FIELDS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "y": "{1:02d}",
}
_LITERAL = frozenset(" .-/,")


def _template(django_format: str) -> str | None:
    """The format as a `str.format` template, or None when it uses anything else (a weekday,
    a month's name, an escaped character)."""
    parts = []
    for character in django_format:
        if character in _FIELDS:
            parts.append(_FIELDS[character])
        elif character in _LITERAL:
            parts.append(character)
        else:
            return None
    return "".join(parts)


def short_date_formatter() -> Callable[[datetime.date], str]:
    """A function formatting a date as `date_format(value, "SHORT_DATE_FORMAT")` does in the
    language active now."""
    template = _template(get_format("SHORT_DATE_FORMAT"))
    if template is None:
        return lambda value: date_format(value, "SHORT_DATE_FORMAT")
    return lambda value: template.format(value, value.year % 100)

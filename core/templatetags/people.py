"""`{{ user|person_name }}`: a person's name in the order of the page's language — family name
first in Hungarian ("Szabó Gábor"), given name first in English ("Gábor Szabó")."""

from django import template
from django.utils.translation import get_language

register = template.Library()

FAMILY_NAME_FIRST = {"hu"}


@register.filter
def person_name(user) -> str:
    """The user's name as the current language writes it; the user name when none is known."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        return user.get_username()
    language = (get_language() or "").split("-")[0]
    parts = [last, first] if language in FAMILY_NAME_FIRST else [first, last]
    return " ".join(part for part in parts if part)

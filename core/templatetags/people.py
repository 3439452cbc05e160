"""`{{ user|person_name }}`: a person's name in the order of the page's language — family name
first in Hungarian ("Szabó Gábor"), given name first in English ("Gábor Szabó"); the rule is
`core.names`, which the admin and the launch's `name` claim follow too."""

from django import template

from core import names

register = template.Library()


@register.filter
def person_name(user) -> str:
    """The user's name as the current language writes it; the user name when none is known."""
    return names.person_name(user)

"""The Jinja2 environment of the project's second template backend (Django's own
`django.template.backends.jinja2`), for the few fragments a page repeats dozens of times
(docs/decisions/0014). Those templates hold markup only: their words are translated, and their
URLs made, in Python beforehand, where `makemessages` finds them."""

from typing import Any

from django.utils.text import capfirst
from jinja2 import Environment, StrictUndefined


def environment(**options: Any) -> Environment:
    options["autoescape"] = True  # every value escaped, as in Django's templates
    options["undefined"] = StrictUndefined  # a misspelt name is an error, not an empty string
    env = Environment(**options)  # noqa: S701 - autoescape is on, one line above
    env.filters["capfirst"] = capfirst
    return env

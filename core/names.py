"""A person's full name in the order a language writes it (issue 25 item 12): family name first
in Hungarian ("Kovács Hanna"), given name first in English ("Hanna Kovács"). One rule for every
place the portal names a person: its pages (`person_name` filter), the admin (the user's
`get_full_name` and `__str__`), e-mails and the LTI `name` claim, which OIDC Core §5.1 asks to be
"ordered according to the End-User's locale" — the language the launch also sends as `locale`."""

from django.utils.translation import get_language

# The languages (of settings.LANGUAGES) that write the family name first.
FAMILY_NAME_FIRST = frozenset({"hu"})


def full_name(given: str, family: str, *, language: str | None = None) -> str:
    """The given and family names joined in the order of `language` (the active language when
    None); either may be empty. "" when both are."""
    given, family = given.strip(), family.strip()
    code = (language or get_language() or "").split("-")[0].lower()
    parts = [family, given] if code in FAMILY_NAME_FIRST else [given, family]
    return " ".join(part for part in parts if part)


def person_name(user, *, language: str | None = None) -> str:
    """The user's full name in the order of `language` (the active language when None); the
    user name when no name is known."""
    return full_name(user.first_name, user.last_name, language=language) or user.get_username()

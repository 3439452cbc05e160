"""The words for the person who runs a space, which depend on the space's type (issue 25 item 12,
docs/glossary.md): the administrator of a subject or a course is its lecturer (*oktató*), that of
any other space (a choir, a research group) its administrator (*adminisztrátor*).

Each text comes in a pair written with the translation contexts "subject or course" and "other
space" (msgctxt), so that one English sentence may be translated twice and
tests/portal/test_glossary.py holds each context to its own word. Where the type is not known
(the admin's role list, the membership CSV) the generic `MembershipRole` label names both.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from virtualspaces.models import MembershipRole, SpaceType

# The spaces of teaching, whose administrators students call their lecturers.
TEACHING_TYPES = frozenset({SpaceType.SUBJECT, SpaceType.COURSE})


@dataclass(frozen=True)
class ByType:
    """One text in the words of a subject or course (`teaching`) and of any other space."""

    teaching: Promise
    other: Promise

    def of(self, space_type: str) -> Promise:
        return self.teaching if space_type in TEACHING_TYPES else self.other


ADMINISTRATOR = ByType(
    teaching=pgettext_lazy("subject or course", "lecturer"),
    other=pgettext_lazy("other space", "administrator"),
)
ADMINISTRATORS = ByType(
    teaching=pgettext_lazy("subject or course", "Lecturers"),
    other=pgettext_lazy("other space", "Administrators"),
)
ADMINISTERED_BY = ByType(
    teaching=pgettext_lazy("subject or course", "Taught by"),
    other=pgettext_lazy("other space", "Administered by"),
)
NO_DESCRIPTION = ByType(
    teaching=pgettext_lazy(
        "subject or course", "The space's lecturers have not written a description yet."
    ),
    other=pgettext_lazy(
        "other space", "The space's administrators have not written a description yet."
    ),
)


def role_label(role: str, space_type: str) -> Promise:
    """A membership role as people read it in a space of `space_type` (lower-case: a badge
    writes it with `capfirst`)."""
    if role == MembershipRole.ADMINISTRATOR:
        return ADMINISTRATOR.of(space_type)
    return MembershipRole(role).label


@dataclass(frozen=True)
class SpaceWords:
    """The texts of one space's Home screen that name who runs it."""

    administrators: Promise
    administered_by: Promise
    no_description: Promise


def space_words(space_type: str) -> SpaceWords:
    return SpaceWords(
        administrators=ADMINISTRATORS.of(space_type),
        administered_by=ADMINISTERED_BY.of(space_type),
        no_description=NO_DESCRIPTION.of(space_type),
    )

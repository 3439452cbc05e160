"""What a person is told when a folder's link is hidden or inactive (SPEC §3; `permissions.py`
decides why, in the order SPEC §3 checks). The sentences that name who runs the space do so in
the words of its type (`virtualspaces.words`): a subject's or a course's lecturer, any other
space's administrator."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panopto_link.reasons import PanoptoReason
from virtualspaces.words import ByType

REFUSAL_MESSAGES: dict[PanoptoReason, Promise | ByType] = {
    PanoptoReason.NO_LICENCE: _("The institute has no valid Panopto licence."),
    PanoptoReason.NOT_VISIBLE: _("This virtual space does not exist or is not available to you."),
    PanoptoReason.REGISTRATION_INCOMPLETE: _(
        "Panopto is not available yet: the Panopto connection of the portal is not fully "
        "configured. Please contact the IT administrators."
    ),
    PanoptoReason.FOLDER_DISABLED: _(
        "Panopto is not available for this virtual space: its Panopto folder is not enabled."
    ),
    PanoptoReason.CONTEXT_NOT_CREATED: ByType(
        teaching=pgettext_lazy(
            "subject or course", "Available once the lecturer has opened the Panopto folder."
        ),
        other=pgettext_lazy(
            "other space",
            "Available once the space's administrator has opened the Panopto folder.",
        ),
    ),
    PanoptoReason.CONTEXT_MISSING_IN_PANOPTO: ByType(
        teaching=pgettext_lazy(
            "subject or course",
            "Not created in Panopto: Panopto does not have this space's folder. It is available "
            "again once the lecturer has opened it again.",
        ),
        other=pgettext_lazy(
            "other space",
            "Not created in Panopto: Panopto does not have this space's folder. It is available "
            "again once the space's administrator has opened it again.",
        ),
    ),
    PanoptoReason.NOT_VIDEO_PICKER: ByType(
        teaching=pgettext_lazy("subject or course", "Only the lecturer adds videos."),
        other=pgettext_lazy("other space", "Only the space's administrator adds videos."),
    ),
    PanoptoReason.IDENTIFIER_MISSING: _(
        "Panopto cannot recognise you yet: your account has no identifier for Panopto (such as "
        "a Neptun code). Please contact the IT administrators."
    ),
    PanoptoReason.PICKER_BEFORE_CONTEXT: _(
        "Open the space's Panopto folder first (Continue to the Panopto system): your first "
        "visit creates it, and then you can add its recordings here."
    ),
}


def refusal_message(reason: object, space_type: str) -> Promise | None:
    """What the person is told for `reason` (None for none, or for a reason that is not the
    policy's, such as the protocol's) at a folder of a space of `space_type`."""
    message = REFUSAL_MESSAGES.get(reason) if isinstance(reason, PanoptoReason) else None
    return message.of(space_type) if isinstance(message, ByType) else message

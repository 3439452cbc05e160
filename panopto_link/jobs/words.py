"""What a job did, in words: stored as codes (the job's `outcome`), read in the reader's
language by the admin and the "why" page."""

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panopto_link.reasons import Entitlement

ENTITLEMENT_MESSAGES: dict[Entitlement, Promise] = {
    Entitlement.MEMBER_OF_OWNER: gettext_lazy("still a member of the folder's space"),
    Entitlement.PUBLIC_OWNER: gettext_lazy("the folder's space is public"),
    Entitlement.MEMBER_OF_LINKING_COURSE: gettext_lazy(
        "a member of a course that links the folder"
    ),
    Entitlement.PUBLIC_LINKING_COURSE: gettext_lazy("a public course links the folder"),
    Entitlement.ADMINISTRATOR_OF_OWNER: gettext_lazy(
        "an administrator of the folder's space again"
    ),
}


class Outcome(StrEnum):
    TAKEN_BACK = "taken_back"
    CREATOR_TAKEN_BACK = "creator_taken_back"
    VIEWER_GRANTED = "viewer_granted"
    NOTHING_HELD = "nothing_held"
    OTHER_GROUPS = "other_groups"
    RECHECKED = "rechecked"
    PUBLIC_IN_PANOPTO = "public_in_panopto"
    KEPT = "kept"
    WITHOUT_IDS = "without_ids"
    NO_USERNAME = "no_username"
    NO_PANOPTO_IDS = "no_panopto_ids"
    NO_API_SETTINGS = "no_api_settings"
    UNKNOWN_KIND = "unknown_kind"


def outcome_line(line: dict[str, Any]) -> str:
    code = line.get("code")
    if code == Outcome.TAKEN_BACK:
        return _("%(folder)s: access taken back in Panopto.") % {"folder": line.get("folder")}
    if code == Outcome.CREATOR_TAKEN_BACK:
        return _(
            "%(folder)s: the Creator role taken back in Panopto; what a member may see is kept."
        ) % {"folder": line.get("folder")}
    if code == Outcome.VIEWER_GRANTED:
        return _(
            "%(folder)s: a Viewer grant was given in Panopto in place of the Creator role, "
            "since nothing else let the person see the folder."
        ) % {"folder": line.get("folder")}
    if code == Outcome.RECHECKED:
        count = int(line.get("count", 0))
        return ngettext(
            "%(folder)s: read again from Panopto (%(count)d access entry).",
            "%(folder)s: read again from Panopto (%(count)d access entries).",
            count,
        ) % {"folder": line.get("folder"), "count": count}
    if code == Outcome.PUBLIC_IN_PANOPTO:
        return _(
            "%(folder)s: the folder is public in Panopto: anyone can still open it there, "
            "whatever was taken back."
        ) % {"folder": line.get("folder")}
    if code == Outcome.NOTHING_HELD:
        return _("%(folder)s: the person held no access in Panopto: nothing to take back.") % {
            "folder": line.get("folder")
        }
    if code == Outcome.OTHER_GROUPS:
        return _(
            "%(folder)s: the person is still in groups the portal does not manage (%(groups)s): "
            "remove them in Panopto if they should not see the folder."
        ) % {"folder": line.get("folder"), "groups": line.get("groups")}
    if code == Outcome.KEPT:
        why = line.get("why", "")
        known = {entitlement.value for entitlement in Entitlement}  # `in Entitlement` warns
        reason = ENTITLEMENT_MESSAGES[Entitlement(why)] if why in known else why
        return _("%(folder)s: kept, %(why)s.") % {"folder": line.get("folder"), "why": reason}
    if code == Outcome.WITHOUT_IDS:
        count = int(line.get("count", 0))
        return ngettext(
            "%(count)d folder without a Panopto id: nothing to take back there.",
            "%(count)d folders without a Panopto id: nothing to take back there.",
            count,
        ) % {"count": count}
    if code == Outcome.NO_USERNAME:
        return _("The person has no username in Panopto: nothing to take back.")
    if code == Outcome.NO_PANOPTO_IDS:
        return _(
            "No folder of the space has a Panopto id (never confirmed in Panopto by "
            "panopto_confirm): nothing to take back."
        )
    if code == Outcome.NO_API_SETTINGS:
        return _(
            "The Panopto registration has no API settings: the portal cannot take access back "
            "in Panopto (remove it there by hand)."
        )
    return _("Not a job this worker knows.")


def outcome_text(outcome: Any) -> str:
    if not isinstance(outcome, list):
        return str(outcome or "")
    return "\n".join(outcome_line(line) for line in outcome if isinstance(line, dict))

"""Why the Panopto part refuses a launch (SPEC §3 and §6, `permissions.py`): its business
reasons, apart from the protocol's (`panopto_link.lti.reasons.Reason`, issue 22). The values are
what launch records have always stored; the admin shows them in Panopto's words
(`admin/words.py`)."""

from dataclasses import dataclass
from enum import StrEnum


class PanoptoReason(StrEnum):
    # --- SPEC §3: the policy refuses a folder (permissions.py) -------------------------------
    NO_LICENCE = "no_licence"
    NOT_VISIBLE = "not_visible"
    REGISTRATION_INCOMPLETE = "registration_incomplete"
    FOLDER_DISABLED = "folder_disabled"
    CONTEXT_NOT_CREATED = "context_not_created"
    # SPEC §7: Panopto's API did not find a folder the portal thought created (issue 23).
    CONTEXT_MISSING_IN_PANOPTO = "context_missing_in_panopto"
    # SPEC §6: videos
    NOT_VIDEO_PICKER = "not_video_picker"
    PICKER_BEFORE_CONTEXT = "picker_before_context"
    VIDEO_REMOVED = "video_removed"
    VIDEO_REFUSED = "video_refused"
    # Issue 12: the registration sends an institutional identifier the user's account lacks.
    IDENTIFIER_MISSING = "identifier_missing"


# --- vocabularies of the rules in permissions.py -------------------------------------------


class PersonalData(StrEnum):
    """The kinds of personal data a launch may carry besides the opaque `sub` and the roles."""

    IDENTITY = "identity"  # who the person is in the university's directory: username, Neptun code
    NAME = "name"
    EMAIL = "email"


class CreatorSyncRefusal(StrEnum):
    """Why a space's administrator cannot be made a Creator ahead of their first launch."""

    IDENTIFIER_WITHHELD = "identifier_withheld"
    IDENTIFIER_MISSING = "identifier_missing"


class Entitlement(StrEnum):
    """Why a person may still enter a folder in Panopto (the first that holds is named)."""

    MEMBER_OF_OWNER = "member_of_owner"  # a membership of the space whose folder it is
    PUBLIC_OWNER = "public_owner"  # the folder's space is public: anyone signed in enters
    MEMBER_OF_LINKING_COURSE = "member_of_linking_course"  # a course they belong to links it
    PUBLIC_LINKING_COURSE = "public_linking_course"  # a public course links it
    ADMINISTRATOR_OF_OWNER = "administrator_of_owner"  # Creator: administers the folder's space


@dataclass(frozen=True)
class FolderEntitlementFacts:
    """What the portal holds now of one person and one folder (`selectors.jobs`), for
    `permissions.entitlement`."""

    member_of_owner: bool
    owner_public: bool
    member_of_linking_course: bool
    public_linking_course: bool
    administrator_of_owner: bool = False

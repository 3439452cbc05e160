"""Why the Panopto part refuses a launch (SPEC §3 and §6, `permissions.py`): its business
reasons, apart from the protocol's (`panopto_link.lti.reasons.Reason`, issue 22). The values are
what launch records have always stored; the admin shows them in Panopto's words
(`admin/words.py`)."""

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

"""SPEC §3 in one place: who sees the Panopto link of a folder, whether it is active, and with
which role the user enters Panopto. The screens and the launch both ask `decide_folder`;
neither re-derives any part of it.

Pure functions on plain values: no queries, no request.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from virtualspaces.permissions import SpaceAccess


class PanoptoRole(StrEnum):
    """The Panopto permission a launch grants (sent over LTI as a context role)."""

    CREATOR = "creator"  # membership#Instructor
    VIEWER = "viewer"  # membership#Learner

    @property
    def label(self) -> Promise:
        return _("Creator") if self is PanoptoRole.CREATOR else _("Viewer")


class Refusal(StrEnum):
    """Why a folder's link is hidden or inactive, in the order SPEC §3 checks them."""

    NO_LICENCE = "no_licence"
    NOT_VISIBLE = "not_visible"
    REGISTRATION_INCOMPLETE = "registration_incomplete"
    FOLDER_DISABLED = "folder_disabled"
    CONTEXT_NOT_CREATED = "context_not_created"

    @property
    def message(self) -> Promise:
        return REFUSAL_MESSAGES[self]

    @property
    def is_not_found(self) -> bool:
        """Refusals answered with 404, so that URLs cannot be probed."""
        return self in {Refusal.NO_LICENCE, Refusal.NOT_VISIBLE}


REFUSAL_MESSAGES = {
    Refusal.NO_LICENCE: _("The institute has no valid Panopto licence."),
    Refusal.NOT_VISIBLE: _("This virtual space does not exist or is not available to you."),
    Refusal.REGISTRATION_INCOMPLETE: _(
        "Panopto is not available yet: the Panopto connection of the portal is not fully "
        "configured. Please contact the IT administrators."
    ),
    Refusal.FOLDER_DISABLED: _(
        "Panopto is not available for this virtual space: its Panopto folder is not enabled."
    ),
    Refusal.CONTEXT_NOT_CREATED: _(
        "Available once the space's administrator has opened the Panopto folder."
    ),
}


@dataclass(frozen=True)
class RegistrationFacts:
    is_enabled: bool
    missing_fields: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return self.is_enabled and not self.missing_fields


@dataclass(frozen=True)
class FolderFacts:
    is_enabled: bool
    is_created: bool


# A space without a folder row yet: enabled by default, its context not created.
NEW_FOLDER = FolderFacts(is_enabled=True, is_created=False)


@dataclass(frozen=True)
class FolderDecision:
    """What one user may do with one folder link right now."""

    shown: bool
    active: bool
    role: PanoptoRole | None
    is_guest: bool
    refusal: Refusal | None
    creates_context: bool = False

    @property
    def message(self) -> Promise | None:
        return self.refusal.message if self.refusal else None


def decide_folder(
    *,
    licence_valid: bool,
    registration: RegistrationFacts,
    access: SpaceAccess,
    administers_folder: bool,
    folder: FolderFacts,
) -> FolderDecision:
    """Decide one folder link for one user (SPEC §3, first matching row wins).

    `access` is the user's standing in the space whose page shows the link; for a course's
    linked folder that is the course. `administers_folder` is true when the user administers the
    space that owns the folder (for the space's own folder: the same as `access.is_administrator`).
    """
    role = PanoptoRole.CREATOR if administers_folder else PanoptoRole.VIEWER
    is_guest = access.is_guest and not administers_folder

    def refused(refusal: Refusal, *, shown: bool) -> FolderDecision:
        return FolderDecision(
            shown=shown, active=False, role=role, is_guest=is_guest, refusal=refusal
        )

    if not licence_valid:
        return refused(Refusal.NO_LICENCE, shown=False)
    if not access.is_visible:
        return refused(Refusal.NOT_VISIBLE, shown=False)
    if not registration.is_complete:
        return refused(Refusal.REGISTRATION_INCOMPLETE, shown=True)
    if not folder.is_enabled:
        return refused(Refusal.FOLDER_DISABLED, shown=True)
    if not folder.is_created:
        if administers_folder:
            return FolderDecision(
                shown=True,
                active=True,
                role=PanoptoRole.CREATOR,
                is_guest=False,
                refusal=None,
                creates_context=True,
            )
        return refused(Refusal.CONTEXT_NOT_CREATED, shown=True)
    return FolderDecision(shown=True, active=True, role=role, is_guest=is_guest, refusal=None)


def may_pick_videos(decision: FolderDecision) -> bool:
    """SPEC §6: only the space's administrator links videos into it, once the folder's context
    exists (the content picker opens inside that folder)."""
    return decision.active and decision.role is PanoptoRole.CREATOR and not decision.creates_context


def may_open_videos(decision: FolderDecision) -> bool:
    """SPEC §6: a video linked into a space opens under the rules of the space's own folder;
    members and guests enter as Viewer, the administrator as Creator."""
    return decision.active and not decision.creates_context


def may_manage_videos(access: SpaceAccess) -> bool:
    """The space's administrator removes and reorders its video links (even while Panopto's
    configuration is incomplete: tidying the list needs no launch)."""
    return access.is_administrator

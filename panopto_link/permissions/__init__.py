"""SPEC §3 and §6 in one place: who sees the Panopto link of a folder, whether it is active,
with which role the user enters Panopto and what a launch names; who links, opens and manages
videos; who is told how to fix the configuration; what Panopto learns of a person at each
privacy level; when a folder may still be given an existing Panopto folder's context id. The
screens, the click, the authorization, the deep-linking return and the admin all ask these
functions by name; none re-derives any part of them.

The package's other modules hold the other who-may rules, each a responsibility of its own:
`permissions.entitlement` (who is still entitled to a folder's access in Panopto, asked when a
membership ends or a role changes and by the nightly reconciliation) and `permissions.staff`
(what IT and the helpdesk may do: the self-test, the access jobs, the "why" page).

Pure functions on plain values: no queries, no request.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panopto_link.lti import claims
from panopto_link.lti.origins import normalised_url
from panopto_link.lti.substitution import Variable
from panopto_link.models import RESERVED_CUSTOM_KEYS, IdentifierKind, PrivacyLevel
from panopto_link.reasons import CreatorSyncRefusal, PanoptoReason, PersonalData
from virtualspaces.models import MembershipRole
from virtualspaces.permissions import SpaceAccess


class PanoptoRole(StrEnum):
    """The Panopto permission a launch grants (sent over LTI as a context role)."""

    CREATOR = "creator"  # membership#Instructor
    VIEWER = "viewer"  # membership#Learner

    @property
    def label(self) -> Promise:
        return _("Creator") if self is PanoptoRole.CREATOR else _("Viewer")


def panopto_shown(*, licence_valid: bool) -> bool:
    """SPEC §3, first row: without a valid licence the portal shows nothing of Panopto — no menu
    item, no Panopto page, no element on a Home screen — and its launch URLs answer 404."""
    return licence_valid


def refused_as_not_found(reason: PanoptoReason | None) -> bool:
    """Refusals answered with 404, so that URLs cannot be probed."""
    return reason in {PanoptoReason.NO_LICENCE, PanoptoReason.NOT_VISIBLE}


@dataclass(frozen=True)
class RegistrationFacts:
    is_enabled: bool
    missing_fields: tuple[str, ...]


def registration_complete(registration: RegistrationFacts) -> bool:
    """A registration launches once it is enabled and every required field is filled in."""
    return registration.is_enabled and not registration.missing_fields


@dataclass(frozen=True)
class FolderFacts:
    is_enabled: bool
    is_created: bool
    # SPEC §7: Panopto's API did not find the folder (it then counts as not created).
    missing_in_panopto: bool = False


# A space without a folder row yet: enabled by default, its context not created.
NEW_FOLDER = FolderFacts(is_enabled=True, is_created=False)


@dataclass(frozen=True)
class FolderDecision:
    """What one user may do with one folder link right now."""

    shown: bool
    active: bool
    role: PanoptoRole | None
    is_guest: bool
    refusal: PanoptoReason | None
    creates_context: bool = False


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

    def refused(refusal: PanoptoReason, *, shown: bool) -> FolderDecision:
        return FolderDecision(
            shown=shown, active=False, role=role, is_guest=is_guest, refusal=refusal
        )

    if not licence_valid:
        return refused(PanoptoReason.NO_LICENCE, shown=False)
    if not access.is_visible:
        return refused(PanoptoReason.NOT_VISIBLE, shown=False)
    if not registration_complete(registration):
        return refused(PanoptoReason.REGISTRATION_INCOMPLETE, shown=True)
    if not folder.is_enabled:
        return refused(PanoptoReason.FOLDER_DISABLED, shown=True)
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
        if folder.missing_in_panopto:
            return refused(PanoptoReason.CONTEXT_MISSING_IN_PANOPTO, shown=True)
        return refused(PanoptoReason.CONTEXT_NOT_CREATED, shown=True)
    return FolderDecision(shown=True, active=True, role=role, is_guest=is_guest, refusal=None)


class FolderStanding(StrEnum):
    """Where a folder stands for the user, as Studies → Information → Panopto groups them."""

    READY = "ready"  # the button takes the user in now
    WAITING = "waiting"  # its space's administrator has not opened it yet: nothing to do but wait
    UNAVAILABLE = "unavailable"  # a setting is missing: the IT administrators' to fix


def folder_standing(decision: FolderDecision) -> FolderStanding:
    """A folder the user may enter (or create) is ready; one that waits for its administrator's
    first launch is waiting; any other refusal shown is a matter of configuration."""
    if decision.active:
        return FolderStanding.READY
    if decision.refusal in (
        PanoptoReason.CONTEXT_NOT_CREATED,
        PanoptoReason.CONTEXT_MISSING_IN_PANOPTO,
    ):
        return FolderStanding.WAITING
    return FolderStanding.UNAVAILABLE


def recordings_shown(decision: FolderDecision) -> bool:
    """SPEC §7: a folder's newest recordings are shown to whoever may enter it now — not to
    someone waiting for it, and not to its administrator before the first visit creates it."""
    return decision.active and not decision.creates_context


def folder_opener_role() -> MembershipRole:
    """SPEC §3: who opens a waiting folder (the first launch creates its context): the
    administrators of the space that owns it — `decide_folder` gives them `creates_context`."""
    return MembershipRole.ADMINISTRATOR


def panopto_creator_role() -> MembershipRole:
    """SPEC §3: the membership that makes a person a Creator of the space's folder in Panopto:
    at a launch (Instructor, `lti_roles`) and, before any launch, at provisioning (the folder's
    `_creators` external group, issue 23 item 4): the space's administrators."""
    return MembershipRole.ADMINISTRATOR


def lti_roles(decision: FolderDecision) -> tuple[str, ...]:
    """SPEC §3: administrator → Instructor (Panopto Creator); everyone else → Learner (Viewer);
    a guest of a public space also carries the institution role Guest. Never a role the
    decision does not grant: an inactive decision sends none."""
    if not decision.active or decision.role is None:
        return ()
    roles = [
        claims.ROLE_INSTRUCTOR if decision.role is PanoptoRole.CREATOR else claims.ROLE_LEARNER
    ]
    if decision.is_guest:
        roles.append(claims.INSTITUTION_GUEST)
    return tuple(roles)


def names_linked_folder(*, launches_own_folder: bool, linked: FolderDecision) -> bool:
    """SPEC §3: a launch into a course's own folder names (in its custom claim) each linked
    folder the user may enter now, so the tool can show them. Entering, not creating: a launch
    never creates a linked folder's context, and a linked folder's launch names none."""
    return launches_own_folder and linked.active and not linked.creates_context


# --- videos (SPEC §6) ------------------------------------------------------------------------


def may_pick_videos(decision: FolderDecision, *, is_own_folder: bool) -> bool:
    """Only the space's administrator links videos into it, through the space's own folder
    (never a linked one), once that folder's context exists: the picker opens inside it."""
    return (
        is_own_folder
        and decision.active
        and decision.role is PanoptoRole.CREATOR
        and not decision.creates_context
    )


def video_picker_refusal(decision: FolderDecision) -> PanoptoReason:
    """Why the picker is refused: the folder's own refusal; for the administrator before the
    folder exists, "open the folder first"; else "not the administrator"."""
    if decision.refusal:
        return decision.refusal
    if decision.creates_context:
        return PanoptoReason.PICKER_BEFORE_CONTEXT
    return PanoptoReason.NOT_VIDEO_PICKER


def shows_video_picker(access: SpaceAccess) -> bool:
    """The "Add videos from Panopto" button is shown to the space's administrator — active
    when `may_pick_videos`, else inactive with `video_picker_refusal` — and to nobody else."""
    return access.is_administrator


def may_open_videos(decision: FolderDecision) -> bool:
    """A video linked into a space opens under the rules of the space's own folder: members and
    guests enter as Viewer, the administrator as Creator."""
    return decision.active and not decision.creates_context


def may_manage_videos(access: SpaceAccess) -> bool:
    """The space's administrator removes and reorders its video links (even while Panopto's
    configuration is incomplete: tidying the list needs no launch)."""
    return access.is_administrator


def recording_identity(*, url: str, custom: Mapping[str, str]) -> str:
    """What makes two linked videos the same, so that one is linked into a space only once: the
    whole item a tool returned — its launch URL (`origins.normalised_url`: scheme and host in
    any case, the default port or none, no fragment) and its custom map (keys sorted, values as
    sent). A tool may launch every resource through one URL and name each in the custom map
    (Panopto's `context_delivery`, issue 21): two items differing in either are two videos."""
    canonical = json.dumps(
        {str(key): str(value) for key, value in custom.items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"url:{normalised_url(url)}\ncustom:{canonical}"


def content_reserved_keys(*, identifier_parameter: str) -> frozenset[str]:
    """The custom keys a content item may never set (issue 20, finding 1): those the portal
    sends itself on a launch — `linked_folders` and the institutional identifier's parameter —
    which Panopto would otherwise read as the portal's word. An item carrying one is refused
    at the deep-linking return, and a key stored before this rule is dropped at the launch."""
    keys = set(RESERVED_CUSTOM_KEYS)
    if identifier_parameter:
        keys.add(identifier_parameter)
    return frozenset(keys)


# --- the IT administrators' help beside an inactive button ------------------------------------


class ConfigurationFix(StrEnum):
    REGISTRATION = "registration"
    FOLDER = "folder"


def configuration_fix(*, is_staff: bool, refusal: PanoptoReason | None) -> ConfigurationFix | None:
    """What an IT administrator (staff) is told to fix beside an inactive button: the
    registration or the folder's switch. Nobody else is told, and nothing is said of refusals
    that no setting fixes (a folder its administrator has not opened yet)."""
    if not is_staff:
        return None
    if refusal is PanoptoReason.REGISTRATION_INCOMPLETE:
        return ConfigurationFix.REGISTRATION
    if refusal is PanoptoReason.FOLDER_DISABLED:
        return ConfigurationFix.FOLDER
    return None


# --- what Panopto learns of a person (issue 12) ----------------------------------------------


PRIVACY_RELEASES: dict[str, frozenset[PersonalData]] = {
    PrivacyLevel.ANONYMOUS: frozenset(),
    PrivacyLevel.NAME: frozenset({PersonalData.IDENTITY, PersonalData.NAME}),
    PrivacyLevel.EMAIL: frozenset({PersonalData.IDENTITY, PersonalData.EMAIL}),
    PrivacyLevel.NAME_AND_EMAIL: frozenset(
        {PersonalData.IDENTITY, PersonalData.NAME, PersonalData.EMAIL}
    ),
}


def released_personal_data(privacy_level: str) -> frozenset[PersonalData]:
    """What the registration's privacy level lets Panopto learn (as Canvas's levels): nothing
    at "anonymous" (only `sub` and the roles), the directory identity (username, Neptun code)
    at every other level, names and e-mail addresses as the level says. An unknown level
    releases nothing."""
    return PRIVACY_RELEASES.get(privacy_level, frozenset())


def identifier_data(identifier_kind: str) -> PersonalData:
    """The kind of personal data the institutional identifier is: the e-mail address is one."""
    return PersonalData.EMAIL if identifier_kind == IdentifierKind.EMAIL else PersonalData.IDENTITY


def identifier_released(*, privacy_level: str, identifier_kind: str) -> bool:
    """The institutional identifier (lis.person_sourcedid, and its custom parameter) is sent
    when the privacy level releases the kind of data it is."""
    return identifier_data(identifier_kind) in released_personal_data(privacy_level)


# Which personal data each substitution variable reveals; the others reveal none.
VARIABLE_DATA: dict[Variable, PersonalData] = {
    Variable.USER_USERNAME: PersonalData.IDENTITY,
    Variable.PERSON_NAME_FULL: PersonalData.NAME,
    Variable.PERSON_NAME_GIVEN: PersonalData.NAME,
    Variable.PERSON_NAME_FAMILY: PersonalData.NAME,
    Variable.PERSON_EMAIL_PRIMARY: PersonalData.EMAIL,
}


def variable_released(variable: Variable, *, privacy_level: str, identifier_kind: str) -> bool:
    """A substitution variable is replaced only when the privacy level releases what it
    reveals ($Person.sourcedId: the identifier's rule); otherwise it is sent as written."""
    if variable is Variable.PERSON_SOURCED_ID:
        return identifier_released(privacy_level=privacy_level, identifier_kind=identifier_kind)
    data = VARIABLE_DATA.get(variable)
    return data is None or data in released_personal_data(privacy_level)


def identifier_refusal(*, released: bool, identifier: str) -> PanoptoReason | None:
    """A launch that must carry the institutional identifier is refused for a user without
    one: Panopto would otherwise match them on something else and open a second, empty
    account for them."""
    return PanoptoReason.IDENTIFIER_MISSING if released and not identifier else None


def creator_sync_refusal(
    *, privacy_level: str, identifier_kind: str, identifier: str
) -> CreatorSyncRefusal | None:
    """Provisioning makes an administrator a Creator by telling Panopto their username
    (`SyncExternalUser` as that user): the very identifier their launches send, so it must be
    released by the privacy level — the portal never tells Panopto's API more than a launch
    would — and the person must have one. Otherwise they become a Creator at their first
    launch, as before."""
    if not identifier_released(privacy_level=privacy_level, identifier_kind=identifier_kind):
        return CreatorSyncRefusal.IDENTIFIER_WITHHELD
    if not identifier:
        return CreatorSyncRefusal.IDENTIFIER_MISSING
    return None


def identifier_change_warned(*, has_launched: bool) -> bool:
    """Changing what is sent as the identifier (or its custom parameter) on a registration that
    has launched asks for confirmation: Panopto may then open new accounts for everyone."""
    return has_launched


# --- existing Panopto folders (issue 12) -----------------------------------------------------


def existing_context_may_be_given(*, is_created: bool, context_used: bool) -> bool:
    """An IT administrator may give a space's folder the context id of a folder that already
    exists in Panopto only while the folder's own context id has never been used: the folder
    is not created and no launch has named its context id (no message hint issued, no accepted
    launch record). After that Panopto keys a folder by the id, and it never changes."""
    return not is_created and not context_used

"""Opening a term's folders in Panopto ahead of the lecturers (SPEC §7, "Open ahead";
`manage.py panopto_provision` and the Panopto folders' admin action).

Each space's folder is created in Panopto (`ProvisionExternalCourseWithRoles`) under the
external id a launch of the space carries and the name Panopto gives a folder a launch creates,
"<space name> (<space code>)"; then it counts as created, so members enter at once as Viewers.

Its administrators are made its Creators before their first launch, as Panopto's Moodle block
does it (docs/panopto-api.md): ProvisionExternalCourseWithRoles gives the folder the external
groups `{externalId}_viewers|_creators|_publishers`, and `UserManagement.SyncExternalUser`,
called as the administrator, creates their Panopto user under the username their launches send
and **replaces** their external groups with the list given — so the list is every `_creators`
group the portal gives them (each opened-ahead folder of every space they administer), never
just the new one. An administrator whose identifier the privacy level withholds (or who has
none) is reported, and becomes Creator at their first launch as before.

One space at a time, each committed on its own: a run that stops (Panopto down, the breaker
open) is resumed by running it again; a folder already created is left alone, and syncing an
administrator again with the same groups changes nothing.
"""

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from django.db.models import Q

from core.users import PortalUser
from panopto_link.launch.sent import launch_user
from panopto_link.models import FolderState, PanoptoFolder, PanoptoRegistration
from panopto_link.panopto_api import soap, users
from panopto_link.panopto_api.connection import ApiConnection
from panopto_link.panopto_api.mapping import creators_group_id, folder_external_id
from panopto_link.permissions import (
    creator_sync_refusal,
    panopto_creator_role,
)
from panopto_link.reasons import CreatorSyncRefusal
from panopto_link.services import folder_ensure, folder_mark_context_used, folder_mark_created
from virtualspaces.models import Membership, VirtualSpace

logger = logging.getLogger(__name__)


class Outcome(Enum):
    PROVISIONED = "provisioned"
    WOULD_PROVISION = "would_provision"  # --dry-run
    ALREADY_CREATED = "already_created"
    UNAVAILABLE = "unavailable"  # Panopto did not answer: run again later
    REFUSED = "refused"  # Panopto answered with a fault


@dataclass(frozen=True)
class Step:
    space: VirtualSpace
    outcome: Outcome
    detail: str = ""  # Panopto's folder id, or why not


def panopto_folder_name(space: VirtualSpace) -> str:
    """What Panopto names the folder a launch of the space would create: context title and
    label, "<title> (<label>)"."""
    return f"{space.name} ({space.code})"


def spaces_to_provision(*, semester: str = "", codes: Sequence[str] = ()) -> list[VirtualSpace]:
    """The spaces of `semester` and those named by `codes`, in code order, their folders
    fetched with them (one query)."""
    condition = Q(pk__in=[])
    if semester:
        condition |= Q(semester=semester)
    if codes:
        condition |= Q(code__in=list(codes))
    return list(
        VirtualSpace.objects.filter(condition).select_related("panopto_folder").order_by("code")
    )


def provision(
    spaces: Sequence[VirtualSpace], *, connection: ApiConnection, dry_run: bool = False
) -> Iterator[Step]:
    """One step per space, as it is done. Stops after a space Panopto did not answer for:
    with the breaker open the rest would fail alike; run again to resume."""
    for space in spaces:
        folder: PanoptoFolder | None = getattr(space, "panopto_folder", None)
        if folder is not None and folder.state == FolderState.CREATED:
            yield Step(space, Outcome.ALREADY_CREATED)
            continue
        if dry_run:
            yield Step(space, Outcome.WOULD_PROVISION)
            continue
        folder = folder or folder_ensure(space=space)
        # From now on Panopto may hold a folder under this id: it never changes again.
        folder_mark_context_used(folder=folder)
        try:
            found = soap.provision_course(
                connection,
                name=panopto_folder_name(space),
                external_id=folder_external_id(folder.context_id),
            )
        except soap.PanoptoApiUnavailable as error:
            yield Step(space, Outcome.UNAVAILABLE, str(error))
            return
        except soap.PanoptoApiRefused as error:
            logger.warning("provisioning %s was refused: %s", space.code, error)
            yield Step(space, Outcome.REFUSED, str(error))
            continue
        folder_mark_created(context_id=folder.context_id, user=None)
        logger.info("provisioned %s as Panopto folder %s", space.code, found.id)
        yield Step(space, Outcome.PROVISIONED, found.id)


# --- the administrators become the folders' Creators ------------------------------------------


class CreatorOutcome(Enum):
    SYNCED = "synced"  # Panopto has them in exactly these creator groups now
    WOULD_SYNC = "would_sync"  # --dry-run
    NOT_RELEASED = "not_released"  # the privacy level withholds their identifier
    NO_IDENTIFIER = "no_identifier"  # released, but they have none
    UNAVAILABLE = "unavailable"
    REFUSED = "refused"


REFUSAL_OUTCOMES = {
    CreatorSyncRefusal.IDENTIFIER_WITHHELD: CreatorOutcome.NOT_RELEASED,
    CreatorSyncRefusal.IDENTIFIER_MISSING: CreatorOutcome.NO_IDENTIFIER,
}


@dataclass(frozen=True)
class CreatorStep:
    user: PortalUser
    outcome: CreatorOutcome
    spaces: tuple[str, ...]  # the codes of the spaces whose creator group they are given
    detail: str = ""
    panopto_username: str = ""  # what their launches send, when the privacy level releases it


def opened_ahead(folder: PanoptoFolder | None) -> bool:
    """Whether the folder was opened in Panopto by provisioning (so has its external groups):
    created without a launch, by no one (`folder_mark_created(user=None)`)."""
    return (
        folder is not None and folder.state == FolderState.CREATED and folder.created_by_id is None
    )


def creator_groups(user_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """Every `_creators` group the portal gives each person: (space code, external group id)
    of each opened-ahead folder of every space they administer, in code order (one query)."""
    rows = (
        Membership.objects.filter(
            user_id__in=list(user_ids),
            role=panopto_creator_role(),
            space__panopto_folder__state=FolderState.CREATED,
            space__panopto_folder__created_by__isnull=True,
        )
        .order_by("space__code")
        .values_list("user_id", "space__code", "space__panopto_folder__context_id")
    )
    groups: dict[int, list[tuple[str, str]]] = {}
    for user_id, code, context_id in rows:
        groups.setdefault(user_id, []).append(
            (code, creators_group_id(folder_external_id(context_id)))
        )
    return groups


def administrators_of(spaces: Sequence[VirtualSpace]) -> list[PortalUser]:
    """The people Panopto makes Creators of these spaces' folders, by username (one query)."""
    memberships = (
        Membership.objects.filter(space__in=list(spaces), role=panopto_creator_role())
        .select_related("user")
        .order_by("user__username")
    )
    return list({m.user_id: m.user for m in memberships}.values())


def sync_creators(
    spaces: Sequence[VirtualSpace], *, connection: ApiConnection, dry_run: bool = False
) -> Iterator[CreatorStep]:
    """One step per administrator of the opened-ahead folders among `spaces`: made (or, dry,
    would be made) Creator of every opened-ahead folder of every space they administer, or why
    not. A dry run counts the folders it would open as opened. Stops when Panopto does not
    answer; run again to resume."""
    folders = {f.space_id: f for f in PanoptoFolder.objects.filter(space__in=list(spaces))}
    ahead = [space for space in spaces if opened_ahead(folders.get(space.pk))]
    would_open = [
        space
        for space in spaces
        if dry_run and (space.pk not in folders or folders[space.pk].state != FolderState.CREATED)
    ]
    registration = PanoptoRegistration.load()
    if registration is None or not (ahead or would_open):
        return
    people = administrators_of([*ahead, *would_open])
    groups = creator_groups([person.pk for person in people])
    pending: dict[int, set[str]] = {}
    for user_id, code in Membership.objects.filter(
        space__in=would_open, role=panopto_creator_role()
    ).values_list("user_id", "space__code"):
        pending.setdefault(user_id, set()).add(code)
    for person in people:
        theirs = groups.get(person.pk, [])
        codes = tuple(sorted({code for code, _group in theirs} | pending.get(person.pk, set())))
        sent = launch_user(person, registration)
        refusal = creator_sync_refusal(
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
            identifier=sent.person_sourcedid or "",
        )
        if refusal is not None:
            yield CreatorStep(person, REFUSAL_OUTCOMES[refusal], codes)
            continue
        username = sent.person_sourcedid or ""
        if dry_run:
            yield CreatorStep(person, CreatorOutcome.WOULD_SYNC, codes, panopto_username=username)
            continue
        try:
            users.sync_external_user(
                connection,
                username=username,
                first_name=sent.given_name or "",
                last_name=sent.family_name or "",
                email=sent.email or "",
                external_group_ids=[group for _code, group in theirs],
            )
        except soap.PanoptoApiUnavailable as error:
            yield CreatorStep(person, CreatorOutcome.UNAVAILABLE, codes, str(error), username)
            return
        except soap.PanoptoApiRefused as error:
            logger.warning("making %s a Creator was refused: %s", person.pk, error)
            yield CreatorStep(person, CreatorOutcome.REFUSED, codes, str(error), username)
            continue
        yield CreatorStep(person, CreatorOutcome.SYNCED, codes, panopto_username=username)

"""IT's "why can (or can't) X see Y?" (issue 24 item 4): everything the portal knows of one
person and one space, read — never a call to Panopto (decision 18): the portal's decision by
the rules the pages use (`space_panopto`, `permissions.decide_folder`), the person's
memberships, each folder's state, the entitlement a revocation would ask
(`permissions.entitlement`), what Panopto held at the last read (`FolderAccessCheck`,
written by the reconciliation and by re-check jobs), the last launch records and the jobs still
pending. Each folder says whether Panopto and the portal disagree, and so which action fixes it.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.users import PortalUser
from panopto_link.jobs.words import ENTITLEMENT_MESSAGES
from panopto_link.lti_platform.api import RecordSeen, last_launches
from panopto_link.models import AccessJob, FolderAccessCheck, JobState, PanoptoRegistration
from panopto_link.permissions import FolderDecision
from panopto_link.permissions.entitlement import folder_entitlement
from panopto_link.reasons import Entitlement
from panopto_link.selectors.jobs import FolderGiven, entitlement_facts
from panopto_link.selectors.setting import panopto_setting
from panopto_link.selectors.spaces import FolderEntry
from panopto_link.selectors.statements import space_panopto
from virtualspaces.models import Membership, VirtualSpace


class Mismatch(StrEnum):
    HELD_NOT_ENTITLED = "held_not_entitled"  # fix: take it back (a job)
    NOT_READ = "not_read"  # Panopto's access never read: fix: re-check (a job)


@dataclass(frozen=True)
class FolderWhy:
    entry: FolderEntry
    given: FolderGiven
    entitlement: Entitlement | None
    check: FolderAccessCheck | None
    held: tuple[dict[str, Any], ...]  # the person's entries at the last read

    @property
    def entitlement_text(self) -> str:
        return str(ENTITLEMENT_MESSAGES[self.entitlement]) if self.entitlement else ""

    @property
    def decision(self) -> FolderDecision:
        return self.entry.decision

    @property
    def mismatch(self) -> Mismatch | None:
        if not self.given.panopto_id:
            return None  # Panopto's id unknown: nothing to read or take back yet
        if self.check is None:
            return Mismatch.NOT_READ
        if self.held and self.entitlement is None:
            return Mismatch.HELD_NOT_ENTITLED
        return None


@dataclass(frozen=True)
class Why:
    user: PortalUser
    space: VirtualSpace
    panopto_username: str
    memberships: tuple[Membership, ...]
    folders: tuple[FolderWhy, ...]
    launches: tuple[RecordSeen, ...]
    pending: tuple[AccessJob, ...]


def explain(*, user: PortalUser, space: VirtualSpace) -> Why | None:
    """None when the space does not exist any more."""
    from panopto_link.jobs.services import panopto_username

    seen = space_panopto(user=user, space_pk=space.pk, setting=panopto_setting())
    if seen is None:
        return None
    username = panopto_username(user, PanoptoRegistration.load())
    entries = [seen.folder, *seen.linked]
    folders = []
    for entry in entries:
        folder = entry.folder
        panopto_id = folder.panopto_id if folder is not None else ""
        given = FolderGiven(entry.owner.code, entry.owner.name, panopto_id)
        entitlement = (
            folder_entitlement(entitlement_facts(user_id=user.pk, panopto_id=panopto_id))
            if panopto_id
            else None
        )
        check = (
            FolderAccessCheck.objects.filter(folder=folder).first() if folder is not None else None
        )
        held = tuple(
            item for item in (check.entries if check else []) if item.get("username") == username
        )
        folders.append(
            FolderWhy(entry=entry, given=given, entitlement=entitlement, check=check, held=held)
        )
    memberships = tuple(
        Membership.objects.filter(user_id=user.pk).select_related("space").order_by("space__code")
    )
    pending = tuple(
        AccessJob.objects.filter(user_id=user.pk, state=JobState.PENDING).select_related("user")
    )
    return Why(
        user=user,
        space=space,
        panopto_username=username,
        memberships=memberships,
        folders=tuple(folders),
        launches=tuple(last_launches(user_id=user.pk, space_id=space.pk)),
        pending=pending,
    )

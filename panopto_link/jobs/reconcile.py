"""The nightly reconciliation (issue 24, `manage.py panopto_reconcile`): each confirmed folder's
access in Panopto (`folder_access`: user grants and the groups' members) is compared with who
may enter it by the portal's rules (`permissions.entitlement.folder_entitlement`, the rule a
membership's end asks), and what nobody is entitled to is taken back — a grant made behind the
portal's back, a revocation that never reached Panopto. A Creator (or Publisher) role held by
someone the portal entitles only as a member or guest (`folder_creator_entitlement`, the rule a
role change asks) loses only its Creator part, as the role change's job does: a Creator role
left from before role changes were followed, or granted by hand. Only the portal's own identity
provider's users are compared: a user of another provider, an internal one, and the API user
are left alone. `dry_run` reports without changing anything. What Panopto held is kept per
folder (`FolderAccessCheck`) for IT's "why" page."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.metrics import reconcile_published
from panopto_link.jobs import calls
from panopto_link.jobs.services import folder_access_read, panopto_username
from panopto_link.models import (
    FolderState,
    PanoptoFolder,
    PanoptoRegistration,
    ReconcileReason,
    ReconcileRun,
)
from panopto_link.panopto_api import access, soap
from panopto_link.panopto_api.connection import ApiConnection
from panopto_link.permissions import panopto_creator_role
from panopto_link.permissions.entitlement import folder_creator_entitlement, folder_entitlement
from panopto_link.reasons import FolderEntitlementFacts
from virtualspaces.models import Membership, VirtualSpace

logger = logging.getLogger(__name__)

NOT_ENTITLED = ReconcileReason.NOT_ENTITLED  # all their access is taken back
NOT_CREATOR = ReconcileReason.NOT_CREATOR  # only the Creator part: their Viewer access is kept
# The roles that make someone a Creator of the folder, as `folder_access` lists them.
CREATOR_ROLES = frozenset({access.CREATOR, access.PUBLISHER})


@dataclass
class FolderRules:
    """Who the portal entitles to one folder: the Panopto usernames of the owner's members (and
    of those who are its Creators) and of the linking courses' members, and whether either is
    public."""

    owner_members: set[str] = field(default_factory=set)
    owner_creators: set[str] = field(default_factory=set)
    linking_members: set[str] = field(default_factory=set)
    owner_public: bool = False
    linking_public: bool = False

    def facts(self, username: str) -> FolderEntitlementFacts:
        return FolderEntitlementFacts(
            member_of_owner=username in self.owner_members,
            owner_public=self.owner_public,
            member_of_linking_course=username in self.linking_members,
            public_linking_course=self.linking_public,
            administrator_of_owner=username in self.owner_creators,
        )


def folder_rules(folder: PanoptoFolder, registration: PanoptoRegistration | None) -> FolderRules:
    """Three queries."""
    owner = folder.space
    linking = list(
        VirtualSpace.objects.filter(folder_links__linked_space=owner).values_list("pk", "is_public")
    )
    linking_ids = {pk for pk, _public in linking}
    rules = FolderRules(
        owner_public=owner.is_public, linking_public=any(public for _pk, public in linking)
    )
    memberships = Membership.objects.filter(
        Q(space=owner) | Q(space_id__in=linking_ids)
    ).select_related("user")
    creator = panopto_creator_role()
    for membership in memberships:
        name = panopto_username(membership.user, registration)
        if membership.space_id == owner.pk:
            rules.owner_members.add(name)
            if membership.role == creator:
                rules.owner_creators.add(name)
        else:
            rules.linking_members.add(name)
    return rules


def reconcile(
    *,
    connection: ApiConnection,
    dry_run: bool,
    progress: Callable[[int, int, PanoptoFolder, list[dict[str, Any]]], None] | None = None,
) -> ReconcileRun:
    registration = PanoptoRegistration.load()
    run = ReconcileRun.objects.create(dry_run=dry_run)
    folders = list(
        PanoptoFolder.objects.filter(state=FolderState.CREATED)
        .exclude(panopto_id="")
        .select_related("space")
        .order_by("space__code")
    )
    try:
        for number, folder in enumerate(folders, start=1):
            changes = _reconcile_folder(
                folder, connection=connection, registration=registration, dry_run=dry_run, run=run
            )
            run.changes.extend(changes)
            if progress:
                progress(number, len(folders), folder, changes)
    except (soap.PanoptoApiUnavailable, soap.PanoptoApiRefused) as error:
        run.error = str(error)[:2000]
        logger.warning("panopto_reconcile stopped: %s", error)
    run.finished_at = timezone.now()
    run.save()
    reconcile_published(
        finished=run.finished_at,
        folders=run.folders_checked,
        taken_back=run.taken_back,
        found=len(run.not_entitled()),
        creators_found=len(run.creators_not_entitled()),
        creators_taken_back=run.creators_taken_back,
        failed=bool(run.error),
    )
    return run


def _reconcile_folder(
    folder: PanoptoFolder,
    *,
    connection: ApiConnection,
    registration: PanoptoRegistration | None,
    dry_run: bool,
    run: ReconcileRun,
) -> list[dict[str, Any]]:
    found = calls.folder_access(connection, folder_id=folder.panopto_id)
    folder_access_read(panopto_id=folder.panopto_id, found=found)
    run.folders_checked += 1
    run.access_seen += len(found.entries)
    rules = folder_rules(folder, registration)
    changes: list[dict[str, Any]] = []
    revoked: set[str] = set()
    creators_revoked: set[str] = set()
    for entry in found.entries:
        username = entry.username
        if "\\" in username or username == connection.username:
            continue  # not the portal's to judge: another provider's, internal, the API user
        facts = rules.facts(username)
        if folder_entitlement(facts) is None:
            reason, done_for, revoke = NOT_ENTITLED, revoked, calls.revoke_folder_access
        elif entry.role in CREATOR_ROLES and folder_creator_entitlement(facts) is None:
            reason, done_for, revoke = NOT_CREATOR, creators_revoked, calls.revoke_creator_access
        else:
            continue
        if not dry_run and username not in done_for:
            revoke(connection, folder_id=folder.panopto_id, username=username)
            done_for.add(username)
        changes.append(
            {
                "space_code": folder.space.code,
                "username": username,
                "role": entry.role,
                "how": entry.how.value,
                "group": entry.group,
                "reason": reason.value,
                "done": not dry_run,
            }
        )
        logger.info(
            "panopto_reconcile %s: %s %s (%s %s) %s%s",
            folder.space.code,
            username,
            entry.role,
            entry.how.value,
            entry.group,
            "nobody in the portal is entitled"
            if reason == NOT_ENTITLED
            else "a Creator without administering the space",
            "" if dry_run else ": taken back",
        )
    run.taken_back += len(revoked)
    run.creators_taken_back += len(creators_revoked)
    if revoked or creators_revoked:
        fresh = calls.folder_access(connection, folder_id=folder.panopto_id)
        folder_access_read(panopto_id=folder.panopto_id, found=fresh)
    return changes

"""What the access jobs read: a person's standing towards a folder now, the folders a space's
membership gives, and the jobs still waiting."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from panopto_link.models import AccessJob, FolderLink, JobState, PanoptoFolder
from panopto_link.permissions import panopto_creator_role
from panopto_link.reasons import FolderEntitlementFacts
from virtualspaces.models import Membership, VirtualSpace


@dataclass(frozen=True)
class FolderGiven:
    """A folder a space's membership gives: the space's own, or one its course links."""

    space_code: str
    space_name: str
    panopto_id: str

    def as_json(self) -> dict[str, str]:
        return {
            "space_code": self.space_code,
            "space_name": self.space_name,
            "panopto_id": self.panopto_id,
        }


def folders_given_by(space: VirtualSpace) -> list[FolderGiven]:
    """The space's own folder and the folders it links (a course's), with Panopto's ids where
    `panopto_confirm` has found them ("" where not): two queries."""
    owners = [
        space.pk,
        *FolderLink.objects.filter(course=space).values_list("linked_space_id", flat=True),
    ]
    folders = {
        folder.space_id: folder
        for folder in PanoptoFolder.objects.filter(space_id__in=owners).select_related("space")
    }
    given = []
    for owner in owners:
        folder = folders.get(owner)
        if folder is None:
            if owner == space.pk:
                given.append(FolderGiven(space.code, space.name, ""))
            continue
        given.append(FolderGiven(folder.space.code, folder.space.name, folder.panopto_id))
    return given


def entitlement_facts(*, user_id: int | None, panopto_id: str) -> FolderEntitlementFacts:
    """The person's standing now towards the folder Panopto knows by `panopto_id`: through the
    space that owns it and through the courses that link it. A folder the portal no longer
    holds (its space deleted) entitles nobody. Two queries."""
    folder = (
        PanoptoFolder.objects.filter(panopto_id=panopto_id)
        .exclude(panopto_id="")
        .select_related("space")
        .first()
    )
    if folder is None:
        return FolderEntitlementFacts(False, False, False, False)
    owner = folder.space
    linking = list(
        VirtualSpace.objects.filter(folder_links__linked_space=owner).values_list("pk", "is_public")
    )
    memberships: dict[int, str] = {}
    if user_id is not None:
        memberships = dict(
            Membership.objects.filter(
                Q(space=owner) | Q(space_id__in=[pk for pk, _public in linking]), user_id=user_id
            ).values_list("space_id", "role")
        )
    return FolderEntitlementFacts(
        member_of_owner=owner.pk in memberships,
        owner_public=owner.is_public,
        member_of_linking_course=any(pk in memberships for pk, _public in linking),
        public_linking_course=any(public for _pk, public in linking),
        administrator_of_owner=memberships.get(owner.pk) == panopto_creator_role(),
    )


def pending_jobs_of(*, user_id: int) -> list[AccessJob]:
    return list(AccessJob.objects.filter(user_id=user_id, state=JobState.PENDING))


def jobs_state() -> tuple[dict[tuple[str, str], int], datetime.datetime | None]:
    """For the metrics: (kind, state) → number of jobs, and when the oldest pending one was
    written (None without). Two queries."""
    rows = AccessJob.objects.values_list("kind", "state").annotate(count=Count("pk")).order_by()
    counts = {(kind, state): count for kind, state, count in rows}
    oldest = (
        AccessJob.objects.filter(state=JobState.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return counts, oldest

"""Opening a term's folders in Panopto ahead of the lecturers (SPEC §7, "Open ahead";
`manage.py panopto_provision` and the Panopto folders' admin action).

Each space's folder is created in Panopto (`ProvisionExternalCourseWithRoles`) under the
external id a launch of the space carries and the name Panopto gives a folder a launch creates,
"<space name> (<space code>)"; then it counts as created, so members enter at once as Viewers.
Its administrators become its Creators at their first launch, which carries their role, as
with a folder a lecturer's launch created. One space at a time, each committed on its own: a
run that stops (Panopto down, the breaker open) is resumed by running it again, and a folder
already created is left alone.
"""

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from django.db.models import Q

from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import ApiConnection
from panopto_link.panopto_api.mapping import folder_external_id
from panopto_link.services import folder_ensure, folder_mark_context_used, folder_mark_created
from virtualspaces.models import VirtualSpace

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

"""This term's overview (issue 25 item 10): the term's folders nobody has opened yet, by the
lecturers who open them, so that IT can remind them in the week before term."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from core import clock
from panopto_link.models import FolderState
from panopto_link.permissions import folder_opener_role
from virtualspaces.models import Membership, VirtualSpace
from virtualspaces.semesters import semester_on

# The overview looks this far ahead: in the week or two before term, "this term" is the one
# about to start, not the one ending.
LOOK_AHEAD = datetime.timedelta(days=14)


def overview_semester() -> str:
    """The term the overview is about by default: the one running in two weeks' time."""
    return semester_on(clock.today() + LOOK_AHEAD)


@dataclass
class LecturerFolders:
    """One lecturer's spaces whose folders wait for their first visit; `lecturer` None for
    the spaces that have no administrator at all (nobody can open them: IT's to sort out)."""

    lecturer: Any
    spaces: list[VirtualSpace] = field(default_factory=list)


def unopened_spaces(semester: str) -> list[VirtualSpace]:
    """The term's spaces whose Panopto folder is enabled and not opened (created) yet."""
    return list(
        VirtualSpace.objects.filter(semester=semester)
        .exclude(panopto_folder__state=FolderState.CREATED)
        .exclude(panopto_folder__is_enabled=False)
        .order_by("code")
    )


def term_overview(semester: str) -> list[LecturerFolders]:
    """The term's unopened folders by lecturer (family name first), the spaces without an
    administrator last: two queries."""
    spaces = unopened_spaces(semester)
    by_space = {space.pk: space for space in spaces}
    groups: dict[int, LecturerFolders] = {}
    administered: set[int] = set()
    memberships = (
        Membership.objects.filter(space_id__in=by_space, role=folder_opener_role())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "space__code")
    )
    for membership in memberships:
        group = groups.setdefault(membership.user_id, LecturerFolders(lecturer=membership.user))
        group.spaces.append(by_space[membership.space_id])
        administered.add(membership.space_id)
    result = list(groups.values())
    orphans = [space for space in spaces if space.pk not in administered]
    if orphans:
        result.append(LecturerFolders(lecturer=None, spaces=orphans))
    return result

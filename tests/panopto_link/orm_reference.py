"""The reads of panopto_link.selectors written through the ORM, as they were before the
hand-written statements replaced them (docs/decisions/0011): the reference those statements are
compared with (test_launch_facts.py). Three queries where the selectors make one."""

from django.db.models import OuterRef, Prefetch, Q

from panopto_link.models import FolderLink
from panopto_link.selectors import PanoptoSetting, SpacePanopto
from panopto_link.selectors.spaces import decided_space
from virtualspaces.models import VirtualSpace
from virtualspaces.selectors import access_of, user_role_in, with_user_role


def _with_panopto(spaces, user):
    links = FolderLink.objects.select_related(
        "linked_space", "linked_space__panopto_folder"
    ).annotate(
        linked_user_role=user_role_in(user, OuterRef("linked_space_id")),
        course_user_role=user_role_in(user, OuterRef("course_id")),
    )
    return (
        with_user_role(spaces, user)
        .select_related("panopto_folder")
        .prefetch_related(
            Prefetch("folder_links", queryset=links.order_by("position", "linked_space__name"))
        )
    )


def _decide(spaces, setting: PanoptoSetting) -> list[SpacePanopto]:
    result = []
    for space in spaces:
        links = list(space.folder_links.all())
        role = (
            getattr(links[0], "course_user_role", None)
            if links
            else access_of(space).membership_role
        )
        result.append(
            decided_space(
                space=space,
                course_role=role,
                links=[(link, getattr(link, "linked_user_role", None)) for link in links],
                setting=setting,
            )
        )
    return result


def orm_space_panopto(*, user, space_pk: int, setting: PanoptoSetting) -> SpacePanopto | None:
    spaces = _decide(_with_panopto(VirtualSpace.objects.filter(pk=space_pk), user), setting)
    return spaces[0] if spaces else None


def orm_user_spaces_panopto(*, user, setting: PanoptoSetting, semester: str = ""):
    spaces = VirtualSpace.objects.of_user(user).order_by("pk")
    if semester:
        spaces = spaces.filter(Q(semester=semester) | Q(semester=""))
    return _decide(_with_panopto(spaces, user), setting)

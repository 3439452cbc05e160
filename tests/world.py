"""The world most launch tests start from, and its fixtures: shared by the Panopto part's tests
(tests/panopto_link/) and the platform's (tests/lti_platform/), whose conftests import them."""

import pytest

from panopto_link.models import FolderState, PanoptoFolder
from tests.factories import (
    CourseFactory,
    FolderLinkFactory,
    MembershipFactory,
    SpaceFactory,
    UserFactory,
)
from tests.lti_tool import Pylti1p3Tool, tool_conf
from virtualspaces.models import MembershipRole


class World:
    """A course with its administrator, a member, a guest member, a signed-in outsider, and
    its subject's folder linked to it; a valid licence and a complete registration."""

    def __init__(self) -> None:
        self.subject = SpaceFactory(code="MAT101", name="Analízis I")
        self.course = CourseFactory(
            code="MAT101-EA", name="Analízis I – előadás", subject=self.subject, is_public=True
        )
        FolderLinkFactory(course=self.course, linked_space=self.subject)
        self.admin = UserFactory(username="OKTATO", first_name="Gábor", last_name="Szabó")
        self.member = UserFactory(username="TAG001")
        self.guest_member = UserFactory(username="VENDEG")
        self.public_guest = UserFactory(username="KIVULI")
        for user, role in (
            (self.admin, MembershipRole.ADMINISTRATOR),
            (self.member, MembershipRole.MEMBER),
            (self.guest_member, MembershipRole.GUEST_MEMBER),
        ):
            MembershipFactory(user=user, space=self.course, role=role)
        MembershipFactory(user=self.admin, space=self.subject, role=MembershipRole.ADMINISTRATOR)

    def folder(self, space=None) -> PanoptoFolder:
        return PanoptoFolder.objects.get_or_create(space=space or self.course)[0]

    def create_context(self, space=None) -> PanoptoFolder:
        from django.utils import timezone

        folder = self.folder(space)
        PanoptoFolder.objects.filter(pk=folder.pk).update(
            state=FolderState.CREATED, created_at=timezone.now()
        )
        folder.refresh_from_db()
        return folder


@pytest.fixture
def world(licence, registration):
    return World()


@pytest.fixture
def tool(client):
    """pylti1p3 with our published key set pasted in (the live_server test fetches it)."""
    return Pylti1p3Tool(tool_conf(key_set=client.get("/.well-known/jwks.json").json()))

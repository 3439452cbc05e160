"""Whole launches from the portal's button into the stand-in: who lands where, as what."""

import pytest
from django.test import Client

from panopto_link.models import FolderState
from panopto_link.simulator.models import Folder, FolderAccess, FolderRole, Recording, ToolUser
from panopto_link.simulator.services import SAMPLE_RECORDINGS
from tests.factories import MembershipFactory
from tests.panopto_link.simulator.conftest import launch_through_portal
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db


def enter(user, space, *, folder=None, language="en"):
    """A fresh browser launches; returns the stand-in's page it lands on (and the client)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    answer = launch_through_portal(client, user, space, folder=folder)
    assert answer.status_code == 303, answer.content.decode()
    return client.get(answer["Location"]), client


def role_in(user, folder: Folder) -> str:
    tool_user = ToolUser.objects.get(subject=str(user.lti_subject))
    return FolderAccess.objects.get(user=tool_user, folder=folder).role


def test_administrators_first_launch_creates_the_folder_and_enters_as_creator(world, standin):
    page, _client = enter(world.admin, world.course)
    folder = Folder.objects.get()
    assert folder.context_id == world.folder().context_id
    assert folder.name == "Analízis I – előadás (MAT101-EA)"
    assert role_in(world.admin, folder) == FolderRole.CREATOR
    assert Recording.objects.filter(folder=folder).count() == len(SAMPLE_RECORDINGS)
    assert world.folder().state == FolderState.CREATED
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-role="creator"' in html and "Analízis I – előadás (MAT101-EA)" in html
    assert "You are a Creator of this folder" in html
    assert SAMPLE_RECORDINGS[0][0] in html


@pytest.mark.parametrize("who", ["member", "guest_member", "public_guest"])
def test_others_enter_the_created_folder_as_viewer(world, standin, who):
    enter(world.admin, world.course)
    page, _client = enter(getattr(world, who), world.course)
    folder = Folder.objects.get()
    assert role_in(getattr(world, who), folder) == FolderRole.VIEWER
    assert 'data-role="viewer"' in page.content.decode()
    assert Folder.objects.count() == 1


def test_learner_before_the_folder_exists_is_told_it_is_not_provisioned(world, standin):
    """The portal believes the context exists (say the stand-in's data was reset): the stand-in
    refuses the learner like Panopto does, and creates nothing."""
    world.create_context()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = launch_through_portal(client, world.member, world.course)
    html = answer.content.decode()
    assert answer.status_code == 403
    assert "This course has not been provisioned yet" in html
    assert "Analízis I – előadás (MAT101-EA)" in html
    assert not Folder.objects.exists() and not FolderAccess.objects.exists()
    assert "panopto_sim_session" not in answer.cookies


def test_dashboard_lists_the_linked_folders_of_the_course(world, standin):
    enter(world.admin, world.subject)  # the subject's administrator creates its folder
    enter(world.admin, world.course)
    page, _client = enter(world.member, world.course)
    html = page.content.decode()
    course_folder = Folder.objects.get(context_id=world.folder().context_id)
    subject_folder = Folder.objects.get(context_id=world.folder(world.subject).context_id)
    assert subject_folder.name == "Analízis I (MAT101)"
    assert role_in(world.member, course_folder) == FolderRole.VIEWER
    assert role_in(world.member, subject_folder) == FolderRole.VIEWER
    assert f'data-context-id="{subject_folder.context_id}"' in html
    assert f'data-context-id="{course_folder.context_id}"' in html


def test_linked_folder_launch_makes_its_administrator_creator_there(world, standin):
    world.create_context()
    enter(world.admin, world.course, folder=world.subject)
    subject_folder = Folder.objects.get(context_id=world.folder(world.subject).context_id)
    assert role_in(world.admin, subject_folder) == FolderRole.CREATOR


def test_each_launch_sets_the_role_it_carries(world, standin):
    enter(world.admin, world.course)
    enter(world.member, world.course)
    folder = Folder.objects.get()
    assert role_in(world.member, folder) == FolderRole.VIEWER
    world.member.memberships.update(role=MembershipRole.ADMINISTRATOR)
    enter(world.member, world.course)
    assert role_in(world.member, folder) == FolderRole.CREATOR


def test_stand_in_pages_follow_the_portals_language(world, standin):
    page, _client = enter(world.admin, world.course, language="hu")
    html = page.content.decode()
    assert 'lang="hu"' in html
    assert "Ön a mappa létrehozója" in html  # "You are a Creator of this folder"


def test_a_new_launch_replaces_the_stand_in_session_of_the_browser(world, standin):
    MembershipFactory(user=world.member, space=world.subject, role=MembershipRole.MEMBER)
    enter(world.admin, world.course)
    _page, client = enter(world.member, world.course)
    first_session = client.cookies["panopto_sim_session"].value
    answer = launch_through_portal(client, world.admin, world.course)
    assert answer.cookies["panopto_sim_session"].value != first_session
    page = client.get(answer["Location"])
    assert 'data-role="creator"' in page.content.decode()

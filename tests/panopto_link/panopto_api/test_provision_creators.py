"""Issue 23 item 4: provisioning makes a space's administrators the Creators of its folder
before either launches — ProvisionExternalCourseWithRoles gives the folder its external groups,
SyncExternalUser (as each administrator, under the username their launches send) puts them in
every `_creators` group the portal gives them — against the stand-in on the live server."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from panopto_link.models import PanoptoRegistration, PrivacyLevel
from panopto_link.simulator import selectors
from panopto_link.simulator.models import ExternalGroup, Folder, ToolUser
from tests.factories import MembershipFactory, UserFactory
from tests.panopto_link.simulator import conftest as stand_in_conftest
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db(transaction=True)

standin = stand_in_conftest.standin
jwks_fetches = stand_in_conftest.jwks_fetches
stand_in_jwks_fetches = stand_in_conftest.stand_in_jwks_fetches


def run(*args) -> str:
    out = io.StringIO()
    call_command("panopto_provision", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_admins(world, standin, stand_in_api):
    """The course has a second administrator; nobody has launched."""
    second = UserFactory(username="OKTATO2", first_name="Éva", last_name="Kiss")
    MembershipFactory(user=second, space=world.course, role=MembershipRole.ADMINISTRATOR)
    return world.admin, second


def creator_group_members(space_folder) -> set[str]:
    group = ExternalGroup.objects.get(external_id=f"{space_folder.context_id}_creators")
    return set(group.members.values_list("username", flat=True))


def role_of(username: str, folder: Folder) -> str | None:
    user = ToolUser.objects.get(username=username)
    return selectors.roles_of(user).get(folder.pk)


def state() -> tuple:
    """The stand-in's whole store of users, groups and memberships."""
    return (
        sorted(
            ToolUser.objects.values_list(
                "username", "issuer", "subject", "first_name", "last_name", "name", "email"
            )
        ),
        sorted(ExternalGroup.objects.values_list("external_id", "folder_id", "role")),
        sorted(
            ExternalGroup.members.through.objects.values_list("externalgroup_id", "tooluser_id")
        ),
    )


def test_both_administrators_are_creators_before_either_launches(world, two_admins):
    out = run(f"--space={world.course.code}")
    folder = Folder.objects.get(context_id=world.folder().context_id)
    assert {g.external_id for g in folder.groups.all()} == {
        f"{folder.context_id}_viewers",
        f"{folder.context_id}_creators",
        f"{folder.context_id}_publishers",
    }
    assert creator_group_members(folder) == {"OKTATO", "OKTATO2"}
    assert role_of("OKTATO", folder) == role_of("OKTATO2", folder) == "creator"
    second = ToolUser.objects.get(username="OKTATO2")
    # The API made them (no launch yet), with the two parts of the name Panopto keeps apart.
    assert (second.first_name, second.last_name, second.subject) == ("Éva", "Kiss", "")
    assert "OKTATO (Gábor Szabó): made Creator as OKTATO – MAT101-EA" in out
    assert "2 administrators: 2 made Creator." in out


def test_a_members_first_launch_lands_as_viewer_and_the_admins_as_the_same_user(world, two_admins):
    run(f"--space={world.course.code}")
    folder = Folder.objects.get(context_id=world.folder().context_id)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = stand_in_conftest.launch_through_portal(client, world.member, world.course)
    assert answer.status_code == 303
    page = client.get(answer["Location"])
    assert page.status_code == 200 and 'data-role="viewer"' in page.content.decode()
    assert role_of("TAG001", folder) == "viewer"
    # The administrator's first launch finds the user the API made, by username.
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = stand_in_conftest.launch_through_portal(admin, world.admin, world.course)
    assert 'data-role="creator"' in admin.get(answer["Location"]).content.decode()
    assert ToolUser.objects.filter(username="OKTATO").count() == 1
    assert ToolUser.objects.get(username="OKTATO").subject == str(world.admin.lti_subject)


def test_running_again_changes_nothing(world, two_admins):
    run(f"--space={world.course.code}")
    before = state()
    out = run(f"--space={world.course.code}")
    assert "already created, left alone" in out
    assert state() == before


def test_an_administrator_of_two_provisioned_spaces_keeps_both_creator_groups(world, two_admins):
    run(f"--space={world.course.code}")
    out = run(f"--space={world.subject.code}")
    course = Folder.objects.get(context_id=world.folder().context_id)
    subject = Folder.objects.get(context_id=world.folder(world.subject).context_id)
    assert "OKTATO" in creator_group_members(course) and "OKTATO" in creator_group_members(subject)
    assert role_of("OKTATO", course) == role_of("OKTATO", subject) == "creator"
    assert "OKTATO (Gábor Szabó): made Creator as OKTATO – MAT101, MAT101-EA" in out
    # The second administrator of the course only was not synced by the subject's run.
    assert creator_group_members(subject) == {"OKTATO"}


def test_a_person_whose_identifier_is_withheld_is_reported_not_synced(world, two_admins):
    PanoptoRegistration.objects.update(privacy_level=PrivacyLevel.ANONYMOUS)
    out = run(f"--space={world.course.code}")
    assert "not made Creator: the privacy level withholds their identifier" in out
    assert "2 administrators: 2 identifier withheld by the privacy level." in out
    assert not ToolUser.objects.exists()
    folder = Folder.objects.get(context_id=world.folder().context_id)
    assert creator_group_members(folder) == set()


def test_a_dry_run_says_who_would_be_made_creator_and_changes_nothing(world, two_admins):
    with translation.override("hu"):  # the lines are English, so is the name's order
        out = run(f"--space={world.course.code}", "--dry-run")
    assert "OKTATO2 (Éva Kiss): would be made Creator as OKTATO2 – MAT101-EA" in out
    assert not ToolUser.objects.exists() and not ExternalGroup.objects.exists()


def test_the_folders_admin_action_makes_the_administrators_creators(
    world, two_admins, admin_client
):
    folder = world.folder()
    answer = admin_client.post(
        "/admin/panopto_link/panoptofolder/",
        {"action": "provision_in_panopto", "_selected_action": [folder.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = answer.content.decode()
    assert "Created in Panopto: 1; already created: 0." in html
    assert "Administrators made Creators before their first launch: 2;" in html
    stand_in = Folder.objects.get(context_id=folder.context_id)
    assert creator_group_members(stand_in) == {"OKTATO", "OKTATO2"}


def test_an_administrator_made_creator_by_provisioning_loses_creators_when_made_a_member(
    world, two_admins
):
    """Issue 24's role change against the stand-in for a Creator Panopto knows only by the
    `_creators` group provisioning put them in (SyncExternalUser), never by a launch: made a
    member, the job takes them out of the group; they enter as Viewer still, the other
    administrator stays a Creator and the student who entered as Viewer keeps it."""
    from django.utils import translation

    from panopto_link.jobs.words import outcome_text
    from panopto_link.models import AccessJob, JobState
    from panopto_link.panopto_api.services import folder_found_in_panopto
    from tests.panopto_link.panopto_api.test_revocation_jobs import work
    from virtualspaces.services import membership_set

    _first, second = two_admins
    run(f"--space={world.course.code}")
    folder = Folder.objects.get(context_id=world.folder().context_id)
    folder_found_in_panopto(folder=world.folder(), panopto_id=str(folder.public_id))
    student = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = stand_in_conftest.launch_through_portal(student, world.member, world.course)
    assert answer.status_code == 303 and role_of("TAG001", folder) == "viewer"
    assert role_of("OKTATO2", folder) == "creator"
    assert not folder.accesses.filter(user__username="OKTATO2").exists()  # the group's only

    membership_set(user=second, space=world.course, role=MembershipRole.MEMBER)
    work()

    job = AccessJob.objects.get(user=second)
    assert job.state == JobState.DONE, (job.last_error, job.outcome)
    assert job.outcome[0]["code"] == "creator_taken_back"
    assert job.outcome[0]["groups"] == f"{folder.context_id}_creators"
    # The group was their only access: IT reads that a Viewer grant took its place.
    assert [line["code"] for line in job.outcome] == ["creator_taken_back", "viewer_granted"]
    with translation.override("en"):
        said = outcome_text(job.outcome)
    assert "a Viewer grant was given in Panopto in place of the Creator role" in said
    assert creator_group_members(folder) == {"OKTATO"}
    assert role_of("OKTATO2", folder) == "viewer"  # no longer a Creator, a Viewer still
    assert role_of("OKTATO", folder) == "creator"
    assert role_of("TAG001", folder) == "viewer"

"""Issue 24's walkthrough, end to end against the stand-in (real HTTP, its WSDLs, zeep): the
student entered the course's folder as Viewer; IT removes the student's membership in the
admin; the worker runs the job; the stand-in refuses the student's folder page, from the
student's existing stand-in session."""

import time

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from panopto_link.models import AccessJob, JobState, PanoptoFolder
from panopto_link.panopto_api.services import folder_found_in_panopto
from panopto_link.simulator.models import FolderAccess, ToolUser
from tests.panopto_link.panopto_api import test_access as access_tests
from tests.panopto_link.panopto_api.conftest import private
from tests.panopto_link.panopto_api.conftest import run_the_worker as work
from virtualspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

# The stand-in's LTI side and the launched course, as the access calls' tests set them up.
standin = access_tests.standin
jwks_fetches = access_tests.jwks_fetches
stand_in_jwks_fetches = access_tests.stand_in_jwks_fetches
launch_through_portal = access_tests.launch_through_portal
launched = access_tests.launched
folder_page = access_tests.folder_page


def confirmed(world, folder) -> None:
    """What `panopto_confirm` does after its grace: the portal keeps Panopto's folder id."""
    folder_found_in_panopto(folder=world.folder(), panopto_id=str(folder.public_id))


def test_removed_in_the_admin_the_student_is_refused_by_panopto(
    world, launched, stand_in_api, admin_client
):
    student, folder = launched
    confirmed(world, folder)
    private(world)
    assert folder_page(student, folder).status_code == 200
    membership = Membership.objects.get(user=world.member, space=world.course)
    url = reverse("admin:virtualspaces_membership_delete", args=[membership.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    work()
    job = AccessJob.objects.get(user=world.member)
    assert job.state == JobState.DONE, (job.last_error, job.outcome)
    assert job.outcome[0]["code"] == "taken_back"
    # The same stand-in session cookie, refused now; the lecturer keeps theirs.
    assert folder_page(student, folder).status_code == 404
    lecturer = ToolUser.objects.get(subject=str(world.admin.lti_subject))
    assert FolderAccess.objects.filter(user=lecturer, folder=folder).exists()


def test_a_member_of_a_public_space_keeps_access_after_leaving(world, launched, stand_in_api):
    student, folder = launched
    confirmed(world, folder)
    assert world.course.is_public
    Membership.objects.filter(user=world.member, space=world.course).delete()
    work()
    job = AccessJob.objects.get(user=world.member)
    assert job.state == JobState.DONE and job.outcome[0]["why"] == "public_owner"
    assert folder_page(student, folder).status_code == 200


def test_panopto_down_then_back_the_access_is_taken_back_once(
    world, launched, stand_in_api, settings
):
    student, folder = launched
    confirmed(world, folder)
    private(world)
    Membership.objects.filter(user=world.member, space=world.course).delete()
    job = AccessJob.objects.get()
    settings.OUTBOUND_RETRY_SECONDS = 0.2
    settings.OUTBOUND_BREAKER_SECONDS = 0.2
    settings.PANOPTO_SIM_API_DOWN = True
    work()
    job.refresh_from_db()
    assert job.state == JobState.PENDING and job.attempts == 1 and job.last_error
    assert folder_page(student, folder).status_code == 200  # nothing happened yet

    work()  # its next try is not due yet: the worker leaves it
    job.refresh_from_db()
    assert job.attempts == 1

    settings.PANOPTO_SIM_API_DOWN = False
    # Time moved past the backoff: the retry's task is due now, and the portal's memory that
    # Panopto failed a moment ago (the WSDL's failure mark, the breaker) has run out.
    DBTaskResult.objects.filter(pk=job.task_id).update(run_after=job.created_at)
    time.sleep(0.25)
    work()
    job.refresh_from_db()
    assert job.state == JobState.DONE, (job.last_error, job.outcome)
    assert folder_page(student, folder).status_code == 404
    assert PanoptoFolder.objects.get(pk=world.folder().pk).panopto_id == str(folder.public_id)


def test_a_recheck_job_reads_the_folders_access_from_panopto(world, launched, stand_in_api):
    from panopto_link.jobs.services import access_job_requested
    from panopto_link.models import FolderAccessCheck, JobKind
    from panopto_link.selectors.jobs import folders_given_by

    _student, folder = launched
    confirmed(world, folder)
    access_job_requested(
        kind=JobKind.RECHECK,
        user=world.member,
        folders=folders_given_by(world.course)[:1],
        space_code=world.course.code,
    )
    work()
    job = AccessJob.objects.get()
    assert job.state == JobState.DONE and job.outcome[0]["code"] == "rechecked"
    check = FolderAccessCheck.objects.get(folder=world.folder())
    assert access_tests.username_of(world.member) in {e["username"] for e in check.entries}


def test_a_lecturer_made_a_member_in_the_admin_loses_creator_only(
    world, launched, stand_in_api, admin_client
):
    """The lecturer launched as Creator; IT makes them a member in the admin; after the worker
    the stand-in no longer counts them a Creator of the folder, and the student keeps Viewer."""
    from panopto_link.simulator import selectors

    student, folder = launched
    confirmed(world, folder)
    lecturer = ToolUser.objects.get(subject=str(world.admin.lti_subject))
    assert selectors.roles_of(lecturer).get(folder.pk) == "creator"
    membership = Membership.objects.get(user=world.admin, space=world.course)
    url = reverse("admin:virtualspaces_membership_change", args=[membership.pk])
    data = {"user": world.admin.pk, "space": world.course.pk, "role": "member", "ends_on": ""}
    assert admin_client.post(url, data).status_code == 302

    work()
    job = AccessJob.objects.get(user=world.admin)
    assert job.state == JobState.DONE, (job.last_error, job.outcome)
    assert job.outcome[0]["code"] == "creator_taken_back"
    # Reduced to Viewer (the launch's Creator grant replaced by a Viewer grant), not shut out.
    assert selectors.roles_of(lecturer).get(folder.pk) == "viewer"
    assert folder_page(student, folder).status_code == 200

"""Issue 24 item 4: IT's "why can (or can't) X see Y?" page — read from the database (never a
call to Panopto): the portal's decision, memberships, each folder's state, what Panopto held at
the last read, launches, pending jobs; with the one action that fixes a mismatch (take it back
now, or re-check), each queueing a job. Gated by permissions.staff.may_explain_access."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from panopto_link.models import AccessJob, FolderAccessCheck, JobKind, JobReason, JobState
from panopto_link.panopto_api.services import folder_found_in_panopto
from tests.factories import UserFactory
from tests.world import world  # noqa: F401
from virtualspaces.models import Membership

pytestmark = pytest.mark.django_db

URL = reverse("admin:panopto_link_accessjob_why")


@pytest.fixture(autouse=True)
def _english(client, admin_client, settings):
    for each in (client, admin_client):
        each.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def confirmed(world):  # noqa: F811
    """The course (private) created and confirmed in Panopto, as folder P1."""
    world.course.is_public = False
    world.course.save()
    folder = world.create_context()
    folder_found_in_panopto(folder=folder, panopto_id="P1")
    folder.refresh_from_db()
    return folder


def ask(client, person="TAG001", space="MAT101-EA", **more):
    return client.get(URL, {"person": person, "space": space, **more})


def test_it_reads_the_decision_memberships_and_that_panopto_was_never_read(
    admin_client,
    world,  # noqa: F811
    confirmed,
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(25):
        page = ask(admin_client)
    text = page.content.decode()
    assert page.status_code == 200
    assert "May enter, as Viewer." in text
    assert "Panopto folder id" in text and "P1" in text
    assert "still a member of the folder&#x27;s space" in text
    assert "never read" in text and "Re-check in Panopto" in text
    assert "Analízis I – előadás (MAT101-EA): member" in text
    assert "No pending job for this person." in text


def test_held_but_not_entitled_offers_to_take_it_back_which_queues_a_job(
    admin_client,
    world,  # noqa: F811
    confirmed,
):
    Membership.objects.filter(user=world.member, space=world.course).delete()
    removal = AccessJob.objects.get()
    FolderAccessCheck.objects.create(
        folder=confirmed,
        checked_at=timezone.now(),
        entries=[{"username": "TAG001", "role": "Viewer", "how": "user", "group": ""}],
    )
    text = ask(admin_client).content.decode()
    assert 'data-mismatch="held_not_entitled"' in text
    assert "Panopto holds access the portal does not entitle." in text
    assert "Viewer (user grant)" in text
    assert "membership removed" in text  # the pending job, listed
    answer = admin_client.post(
        URL, {"person": "TAG001", "space": "MAT101-EA", "folder": "P1", "action": "revoke"}
    )
    assert answer.status_code == 302
    job = AccessJob.objects.exclude(pk=removal.pk).get()
    assert job.kind == JobKind.REVOKE and job.reason == JobReason.IT_REQUEST
    assert job.state == JobState.PENDING and job.folders[0]["panopto_id"] == "P1"


def test_recheck_queues_a_job_that_reads_panopto(admin_client, world, confirmed):  # noqa: F811
    admin_client.post(
        URL, {"person": "TAG001", "space": "MAT101-EA", "folder": "P1", "action": "recheck"}
    )
    assert AccessJob.objects.get().kind == JobKind.RECHECK


def test_bad_input_is_a_clear_400_never_a_500(admin_client, world, confirmed):  # noqa: F811
    page = ask(admin_client, person="NOBODY", space="NOPE")
    text = page.content.decode()
    assert page.status_code == 400
    assert "No person has this username." in text and "No space has this code." in text
    bad = admin_client.post(
        URL, {"person": "TAG001", "space": "MAT101-EA", "folder": "other", "action": "revoke"}
    )
    assert bad.status_code == 400 and not AccessJob.objects.exists()
    assert admin_client.post(URL, {"person": "TAG001"}).status_code == 400


def test_only_staff_with_the_permission_see_it_and_only_changers_act(
    client,
    world,  # noqa: F811
    confirmed,
):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert ask(client).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_accessjob"))
    page = ask(client)
    assert page.status_code == 200 and "Re-check in Panopto" not in page.content.decode()
    post = client.post(
        URL, {"person": "TAG001", "space": "MAT101-EA", "folder": "P1", "action": "recheck"}
    )
    assert post.status_code == 403 and not AccessJob.objects.exists()
    client.force_login(world.member)
    assert ask(client).status_code == 302  # not staff: the admin's sign-in

"""Issue 24: pending and failed jobs are visible — in the admin (IT's list, a retry action) and
in the metrics (read from the database at the scrape, so every app server says the same)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from panopto_link.jobs.words import outcome_line
from panopto_link.models import AccessJob, JobState
from tests.factories import FolderFactory, MembershipFactory, SpaceFactory, UserFactory
from tests.metrics import key, parsed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, admin_client, settings):
    for each in (client, admin_client):
        each.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def jobs(db):
    space = SpaceFactory(code="ADM101", name="Admin course")
    FolderFactory(space=space, panopto_id="F1")
    for name in ("anna", "bela"):
        MembershipFactory(space=space, user=UserFactory(username=name)).delete()
    failed = AccessJob.objects.get(person__contains="bela")
    AccessJob.objects.filter(pk=failed.pk).update(
        state=JobState.FAILED, attempts=30, last_error="RevokeUsersAccessFromFolder: HTTP 503"
    )
    return AccessJob.objects.order_by("pk")


def test_it_reads_the_jobs_and_their_errors_in_the_admin(admin_client, jobs):
    page = admin_client.get(reverse("admin:panopto_link_accessjob_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "anna" in text and "bela" in text and "ADM101" in text
    assert "HTTP 503" in text and "Try the selected failed jobs again" in text
    AccessJob.objects.filter(pk=jobs[0].pk).update(
        state=JobState.DONE, outcome=[{"code": "taken_back", "folder": "Admin course (ADM101)"}]
    )
    one = admin_client.get(reverse("admin:panopto_link_accessjob_change", args=[jobs[0].pk]))
    text = one.content.decode()
    assert "Admin course (ADM101): F1" in text  # the folders it names
    assert outcome_line({"code": "taken_back", "folder": "Admin course (ADM101)"}) in text
    assert admin_client.get(reverse("admin:panopto_link_accessjob_add")).status_code == 403


def test_the_retry_action_queues_failed_jobs_again(admin_client, jobs):
    failed = jobs.get(state=JobState.FAILED)
    old_task = failed.task_id
    answer = admin_client.post(
        reverse("admin:panopto_link_accessjob_changelist"),
        {"action": "retry_jobs", "_selected_action": [job.pk for job in jobs]},
        follow=True,
    )
    text = answer.content.decode()
    assert "1 job queued again." in text and "1 job was not failed" in text
    failed.refresh_from_db()
    assert failed.state == JobState.PENDING and failed.attempts == 0
    assert failed.task_id != old_task


def test_staff_who_may_only_view_jobs_get_no_retry(client, jobs):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_accessjob"))
    client.force_login(viewer)
    page = client.get(reverse("admin:panopto_link_accessjob_changelist"))
    assert page.status_code == 200
    assert "Try the selected failed jobs again" not in page.content.decode()
    client.post(
        reverse("admin:panopto_link_accessjob_changelist"),
        {"action": "retry_jobs", "_selected_action": [job.pk for job in jobs]},
    )
    assert jobs.filter(state=JobState.FAILED).count() == 1


def test_the_metrics_count_pending_and_failed_jobs(
    client, jobs, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("panopto_jobs_sweep", stdout=io.StringIO())  # publishes, as writers do
    with django_assert_num_queries(0):  # a scrape never queries the database
        answer = client.get("/metrics")
    samples = parsed(answer.content.decode())
    assert samples[key("neptun_background_jobs", kind="revoke", state="pending")] == 1
    assert samples[key("neptun_background_jobs", kind="revoke", state="failed")] == 1
    assert samples[key("neptun_background_jobs_oldest_pending_seconds")] >= 0

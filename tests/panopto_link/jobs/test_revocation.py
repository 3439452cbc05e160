"""Issue 24: when a membership ends — removed in the admin, by a queryset's delete (the CSV
replace mode, the expiry sweep), with its space or its person deleted, or expired — a job that
takes the person's Panopto access back is written in the same transaction, and the worker
takes back only what no rule of the portal still entitles them to."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from panopto_link.jobs.run import access_job_run
from panopto_link.jobs.services import MAX_ATTEMPTS, backoff
from panopto_link.models import AccessJob, JobReason, JobState
from tests.factories import (
    CourseFactory,
    FolderFactory,
    FolderLinkFactory,
    MembershipFactory,
    SpaceFactory,
    UserFactory,
)
from virtualspaces.models import Membership, MembershipRole

pytestmark = pytest.mark.django_db


def confirmed_folder(space, panopto_id: str):
    return FolderFactory(space=space, panopto_id=panopto_id)


@pytest.fixture
def course(db):
    """A course with its own folder (Panopto id C) linking its subject's folder (id S)."""
    subject = SpaceFactory(code="SUBJ1", name="Subject")
    course = CourseFactory(code="SUBJ1-EA", name="Lecture", subject=subject)
    confirmed_folder(course, "C")
    confirmed_folder(subject, "S")
    FolderLinkFactory(course=course, linked_space=subject)
    return course


def test_a_removed_membership_writes_a_job_and_its_task_in_the_same_transaction(course):
    membership = MembershipFactory(space=course, user=UserFactory(username="anna"))
    pk = membership.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        membership.delete()
        job = AccessJob.objects.get()
        assert DBTaskResult.objects.filter(pk=job.task_id).exists()  # before the commit
        raise RuntimeError("the process dies before the commit")
    # Rolled back with the deletion: neither a membership lost nor a job without its cause.
    assert Membership.objects.filter(pk=pk).exists()
    assert not AccessJob.objects.exists() and not DBTaskResult.objects.exists()

    membership = Membership.objects.get(pk=pk)
    membership.delete()
    job = AccessJob.objects.get()
    assert job.reason == JobReason.MEMBERSHIP_REMOVED and job.state == JobState.PENDING
    assert job.space_code == "SUBJ1-EA" and job.user_id == membership.user_id
    assert [f["panopto_id"] for f in job.folders] == ["C", "S"]
    assert job.panopto_username  # as the launch sends it
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]


def test_a_removal_in_the_admin_writes_a_job(course, admin_client):
    membership = MembershipFactory(space=course)
    url = reverse("admin:virtualspaces_membership_delete", args=[membership.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert AccessJob.objects.get().reason == JobReason.MEMBERSHIP_REMOVED


def test_a_querysets_delete_and_a_spaces_cascade_write_one_job_per_membership(course):
    MembershipFactory.create_batch(3, space=course)
    Membership.objects.filter(space=course).delete()  # as the CSV replace mode deletes
    assert AccessJob.objects.filter(reason=JobReason.MEMBERSHIP_REMOVED).count() == 3

    other = CourseFactory(code="OTHER-EA", subject=None)
    confirmed_folder(other, "O")
    MembershipFactory.create_batch(2, space=other)
    other.delete()
    jobs = AccessJob.objects.filter(reason=JobReason.SPACE_DELETED)
    assert jobs.count() == 2
    assert all(job.folders[0]["panopto_id"] == "O" for job in jobs)

    person = UserFactory()
    MembershipFactory(space=course, user=person)
    person.delete()
    assert AccessJob.objects.filter(reason=JobReason.PERSON_DELETED).count() == 1


def test_the_sweep_ends_expired_memberships_through_the_same_path(course):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    guest = MembershipFactory(space=course, role=MembershipRole.GUEST_MEMBER, ends_on=yesterday)
    lasting = MembershipFactory(space=course, ends_on=datetime.date.today())
    out = io.StringIO()
    call_command("panopto_jobs_sweep", "--dry-run", stdout=out)
    assert "1 memberships ended before" in out.getvalue()
    assert Membership.objects.count() == 2 and not AccessJob.objects.exists()

    call_command("panopto_jobs_sweep", stdout=out)
    assert not Membership.objects.filter(pk=guest.pk).exists()
    assert Membership.objects.filter(pk=lasting.pk).exists()  # its last day is today
    assert AccessJob.objects.get().reason == JobReason.MEMBERSHIP_EXPIRED


def test_the_job_takes_back_only_what_nothing_else_entitles(course, panopto, api_settings):
    person = UserFactory(username="bela")
    membership = MembershipFactory(space=course, user=person)
    # Another course of the same subject links the subject's folder too, and Béla is in it.
    second = CourseFactory(code="SUBJ1-GY", subject=course.subject)
    FolderLinkFactory(course=second, linked_space=course.subject)
    MembershipFactory(space=second, user=person)
    membership.delete()
    job = AccessJob.objects.get()
    panopto.grant("C", job.panopto_username)
    panopto.grant("S", job.panopto_username)

    assert access_job_run(job.pk) == JobState.DONE
    assert panopto.revocations == [("C", job.panopto_username)]
    assert ("S", job.panopto_username) in panopto.grants  # still entitled through the seminar
    job.refresh_from_db()
    assert [line["code"] for line in job.outcome] == ["taken_back", "kept"]
    assert job.outcome[1]["why"] == "member_of_linking_course"

    assert access_job_run(job.pk) == JobState.DONE  # delivered again: nothing more happens
    assert panopto.calls == 1


def test_a_public_space_keeps_its_folder_for_everyone(panopto, api_settings):
    space = SpaceFactory(code="OPEN1", is_public=True)
    confirmed_folder(space, "P")
    membership = MembershipFactory(space=space)
    membership.delete()
    job = AccessJob.objects.get()
    panopto.grant("P", job.panopto_username)
    access_job_run(job.pk)
    assert panopto.calls == 0 and panopto.grants


def test_a_person_added_again_before_the_job_runs_keeps_access(course, panopto, api_settings):
    membership = MembershipFactory(space=course)
    user = membership.user
    membership.delete()
    MembershipFactory(space=course, user=user)
    access_job_run(AccessJob.objects.get().pk)
    assert panopto.calls == 0


def test_nothing_to_do_without_api_settings_or_panopto_ids(panopto, db):
    space = SpaceFactory(code="NOID1")
    FolderFactory(space=space)  # never confirmed: no Panopto id
    MembershipFactory(space=space).delete()
    job = AccessJob.objects.get()
    assert access_job_run(job.pk) == JobState.NOTHING_TO_DO
    job.refresh_from_db()
    assert job.outcome == [{"code": "no_panopto_ids"}]

    confirmed = SpaceFactory(code="HASID1")
    confirmed_folder(confirmed, "H")
    MembershipFactory(space=confirmed).delete()
    job = AccessJob.objects.get(space_code="HASID1")
    assert access_job_run(job.pk) == JobState.NOTHING_TO_DO
    job.refresh_from_db()
    assert job.outcome == [{"code": "no_api_settings"}]
    assert panopto.calls == 0


def test_panopto_down_retries_with_backoff_then_takes_back_once(course, panopto, api_settings):
    membership = MembershipFactory(space=course)
    membership.delete()
    job = AccessJob.objects.get()
    panopto.grant("C", job.panopto_username)
    panopto.down = True
    first_task = job.task_id
    assert access_job_run(job.pk) == JobState.PENDING
    job.refresh_from_db()
    assert job.attempts == 1 and "503" in job.last_error
    assert job.task_id != first_task and job.next_attempt_at is not None
    assert DBTaskResult.objects.get(pk=job.task_id).run_after == job.next_attempt_at
    assert backoff(1) == datetime.timedelta(seconds=30)
    assert backoff(4) == datetime.timedelta(minutes=4)
    assert backoff(20) == datetime.timedelta(minutes=15)

    panopto.down = False
    assert access_job_run(job.pk) == JobState.DONE
    assert panopto.revocations == [("C", job.panopto_username)]  # S was never granted


def test_a_job_fails_after_its_attempts_and_it_can_retry_it(course, panopto, api_settings):
    MembershipFactory(space=course).delete()
    job = AccessJob.objects.get()
    AccessJob.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS - 1)
    panopto.down = True
    assert access_job_run(job.pk) == JobState.FAILED

    panopto.refusing = True
    panopto.down = False
    job.refresh_from_db()
    from panopto_link.jobs.services import access_job_retry

    assert access_job_retry(job=job)
    assert access_job_run(job.pk) == JobState.FAILED  # a refusal fails at once
    job.refresh_from_db()
    assert job.attempts == 1 and "unknown folder" in job.last_error


@pytest.mark.django_db(transaction=True)  # the worker closes old connections between tasks
def test_the_real_worker_runs_the_queued_jobs(course, panopto, api_settings):
    membership = MembershipFactory(space=course)
    membership.delete()
    job = AccessJob.objects.get()
    panopto.grant("C", job.panopto_username)
    out = io.StringIO()
    call_command("panopto_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    assert panopto.revocations == [("C", job.panopto_username)]


def test_the_sweep_queues_again_a_job_whose_worker_stopped_elsewhere(course, settings):
    MembershipFactory(space=course).delete()
    job = AccessJob.objects.get()
    started = timezone.now() - datetime.timedelta(seconds=settings.JOBS_LEASE_SECONDS + 1)
    DBTaskResult.objects.filter(pk=job.task_id).update(
        status="RUNNING", started_at=started, worker_ids=["another-host:4242:abcdefgh"]
    )
    fresh = timezone.now() - datetime.timedelta(seconds=10)
    out = io.StringIO()
    call_command("panopto_jobs_sweep", stdout=out)
    assert "1 jobs left unfinished by a stopped worker queued again." in out.getvalue()
    old = DBTaskResult.objects.get(exception_class_path="worker_lost")
    job.refresh_from_db()
    assert job.task_id != str(old.pk)
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"

    # A job another host's worker took a moment ago is left to it.
    DBTaskResult.objects.filter(pk=job.task_id).update(
        status="RUNNING", started_at=fresh, worker_ids=["another-host:4242:abcdefgh"]
    )
    call_command("panopto_jobs_sweep", stdout=out)
    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_id).status == "RUNNING"

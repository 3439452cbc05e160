"""Issue 24: an administrator made a member (a lecturer who handed the course over) — in the
admin, by `membership_set`, or by a CSV import in either mode — gets, in the same transaction, a
job that takes back the Creator role of the space's own folder only; the worker asks
`permissions.entitlement.folder_creator_entitlement` when it runs. The calls themselves against
the stand-in: tests/panopto_link/panopto_api/test_revocation_jobs.py (a Creator by launch) and
test_provision_creators.py (a Creator by provisioning's `_creators` group)."""

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from panopto_link.jobs import calls
from panopto_link.jobs.run import access_job_run
from panopto_link.jobs.words import outcome_text
from panopto_link.models import AccessJob, JobKind, JobReason, JobState
from panopto_link.panopto_api import access, soap
from tests.factories import (
    CourseFactory,
    FolderFactory,
    FolderLinkFactory,
    MembershipFactory,
    SpaceFactory,
    UserFactory,
)
from virtualspaces.models import Membership, MembershipRole
from virtualspaces.services import membership_set, memberships_import_csv

pytestmark = pytest.mark.django_db

ADMIN, MEMBER, GUEST = (
    MembershipRole.ADMINISTRATOR,
    MembershipRole.MEMBER,
    MembershipRole.GUEST_MEMBER,
)


@pytest.fixture
def course(db):
    """A course with its own folder (Panopto id C) linking its subject's folder (id S)."""
    subject = SpaceFactory(code="SUBJ1", name="Subject")
    course = CourseFactory(code="SUBJ1-EA", name="Lecture", subject=subject)
    FolderFactory(space=course, panopto_id="C")
    FolderFactory(space=subject, panopto_id="S")
    FolderLinkFactory(course=course, linked_space=subject)
    return course


@pytest.fixture
def lecturer(course):
    return MembershipFactory(space=course, user=UserFactory(username="tanar"), role=ADMIN)


class CreatorCalls:
    """`calls.revoke_creator_access` as the worker sees it: which folders it was asked about,
    and Panopto down on demand."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.down = False

    def __call__(self, connection, *, folder_id: str, username: str) -> access.RevokeResult:
        if self.down:
            raise soap.PanoptoApiUnavailable("GetUserByKey: HTTP 503")
        self.asked.append((folder_id, username))
        return access.RevokeResult(
            username=username, folder_id=folder_id, user_exists=True, roles=("Creator",)
        )


@pytest.fixture
def creator_calls(monkeypatch):
    fake = CreatorCalls()
    monkeypatch.setattr(calls, "revoke_creator_access", fake)
    monkeypatch.setattr(calls, "revoke_folder_access", pytest.fail)  # never the whole access
    return fake


def test_made_a_member_with_membership_set_writes_a_creator_job_in_the_transaction(lecturer):
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_set(user=lecturer.user, space=lecturer.space, role=MEMBER)
        job = AccessJob.objects.get()
        assert DBTaskResult.objects.filter(pk=job.task_id).exists()
        raise RuntimeError("the process dies before the commit")
    assert Membership.objects.get(pk=lecturer.pk).role == ADMIN
    assert not AccessJob.objects.exists() and not DBTaskResult.objects.exists()

    membership_set(user=lecturer.user, space=lecturer.space, role=MEMBER)
    job = AccessJob.objects.get()
    assert (job.kind, job.reason, job.state) == (
        JobKind.REVOKE_CREATOR,
        JobReason.ROLE_CHANGED,
        JobState.PENDING,
    )
    # Only the space's own folder: a Creator's role is given by the space that owns a folder.
    assert [folder["panopto_id"] for folder in job.folders] == ["C"]
    assert job.user_id == lecturer.user_id and job.panopto_username


def test_made_a_member_in_the_admin_writes_a_creator_job(lecturer, admin_client):
    url = reverse("admin:virtualspaces_membership_change", args=[lecturer.pk])
    data = {"user": lecturer.user_id, "space": lecturer.space_id, "role": MEMBER, "ends_on": ""}
    assert admin_client.post(url, data).status_code == 302
    assert Membership.objects.get(pk=lecturer.pk).role == MEMBER
    job = AccessJob.objects.get()
    assert job.kind == JobKind.REVOKE_CREATOR and job.space_code == "SUBJ1-EA"
    # Visible in the admin's list with its own kind and reason.
    page = admin_client.get(reverse("admin:panopto_link_accessjob_changelist")).content.decode()
    assert (
        "Létrehozó szerepkör visszavonása" in page
        and "az oktatóból vagy adminisztrátorból tag lett" in page
    )
    assert "sikertelen kísérletek" in page.lower()  # "failed attempts", in Hungarian


@pytest.mark.parametrize("replace", [False, True])
def test_made_a_guest_by_a_csv_import_writes_a_creator_job(lecturer, replace):
    other = MembershipFactory(space=lecturer.space, role=MEMBER)
    rows = (
        f"{lecturer.user.username},SUBJ1-EA,guest member\n"
        f"{other.user.username},SUBJ1-EA,administrator\n"
    )
    result = memberships_import_csv(data=rows.encode(), replace=replace)
    assert not result.problems and result.updated == 2
    job = AccessJob.objects.get()  # the one made administrator needs none
    assert job.kind == JobKind.REVOKE_CREATOR and job.user_id == lecturer.user_id

    memberships_import_csv(data=rows.encode(), replace=replace)  # again: nothing changes
    assert AccessJob.objects.count() == 1


def test_other_role_changes_write_no_job(course):
    member = MembershipFactory(space=course, role=MEMBER)
    membership_set(user=member.user, space=course, role=GUEST)  # still no Creator to lose
    membership_set(user=member.user, space=course, role=ADMIN)  # made Creator at next launch
    membership_set(user=member.user, space=course, role=ADMIN)  # unchanged
    membership_set(user=UserFactory(), space=course, role=MEMBER)  # new
    assert not AccessJob.objects.exists()


def test_the_worker_takes_back_only_the_creator_role(lecturer, creator_calls, api_settings):
    membership_set(user=lecturer.user, space=lecturer.space, role=MEMBER)
    job = AccessJob.objects.get()
    assert access_job_run(job.pk) == JobState.DONE
    assert creator_calls.asked == [("C", job.panopto_username)]
    job.refresh_from_db()
    assert job.outcome[0]["code"] == "creator_taken_back"
    assert "the Creator role taken back in Panopto" in outcome_text(job.outcome)

    assert access_job_run(job.pk) == JobState.DONE  # delivered again: nothing more happens
    assert len(creator_calls.asked) == 1


def test_administrator_again_before_the_job_runs_keeps_the_creator_role(
    lecturer, creator_calls, api_settings
):
    membership_set(user=lecturer.user, space=lecturer.space, role=MEMBER)
    membership_set(user=lecturer.user, space=lecturer.space, role=ADMIN)
    job = AccessJob.objects.get()
    assert access_job_run(job.pk) == JobState.DONE
    assert creator_calls.asked == []
    job.refresh_from_db()
    assert job.outcome[0] == {
        "code": "kept",
        "folder": "Lecture (SUBJ1-EA)",
        "why": "administrator_of_owner",
    }
    assert "an administrator of the folder's space again" in outcome_text(job.outcome)


def test_panopto_down_the_creator_job_is_retried(lecturer, creator_calls, api_settings):
    membership_set(user=lecturer.user, space=lecturer.space, role=MEMBER)
    job = AccessJob.objects.get()
    creator_calls.down = True
    assert access_job_run(job.pk) == JobState.PENDING
    job.refresh_from_db()
    assert job.attempts == 1 and job.next_attempt_at is not None
    creator_calls.down = False
    assert access_job_run(job.pk) == JobState.DONE
    assert creator_calls.asked == [("C", job.panopto_username)]

"""Every write of the access jobs: a job written (with its task, in the caller's transaction),
an attempt that failed and its retry, a job finished, a job given up or asked for again, and a
job whose worker died queued again."""

import datetime
import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.metrics import jobs_state_publish
from core.users import PortalUser
from panopto_link.jobs.tasks import run_access_job
from panopto_link.launch.sent import institutional_identifier
from panopto_link.models import (
    AccessJob,
    FolderAccessCheck,
    JobKind,
    JobReason,
    JobState,
    PanoptoFolder,
    PanoptoRegistration,
)
from panopto_link.permissions import identifier_released
from panopto_link.selectors.jobs import FolderGiven, jobs_state

logger = logging.getLogger(__name__)

# Retries while Panopto cannot be asked: 30 s, 1, 2, 4, 8 minutes, then every 15 minutes; after
# MAX_ATTEMPTS (about seven hours of Panopto down) the job is failed, for IT to retry.
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60
MAX_ATTEMPTS = 30

# django-tasks' status values (its TaskResultStatus), as stored in its rows.
TASK_READY, TASK_RUNNING, TASK_FAILED = "READY", "RUNNING", "FAILED"


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after `attempts` tries that Panopto did not answer."""
    seconds = FIRST_DELAY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, MAX_DELAY_SECONDS))


def panopto_username(user: PortalUser, registration: PanoptoRegistration | None) -> str:
    """The person's username as the launch sends it to Panopto (`launch.sent`): the
    institutional identifier when the registration releases it, else the opaque `sub`."""
    if registration is None:
        return str(user.lti_subject)
    if identifier_released(
        privacy_level=registration.privacy_level, identifier_kind=registration.identifier_kind
    ):
        identifier = institutional_identifier(user, registration.identifier_kind)
        if identifier:
            return identifier
    return str(user.lti_subject)


def _person(user: PortalUser) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def _enqueue(job: AccessJob, *, run_after: datetime.datetime | None = None) -> None:
    """Queue the job's task: a row of the tasks' table, written in the caller's transaction."""
    task = run_access_job.using(run_after=run_after) if run_after else run_access_job
    result = task.enqueue(job.pk)
    job.task_id = str(result.id)
    job.next_attempt_at = run_after
    AccessJob.objects.filter(pk=job.pk).update(task_id=job.task_id, next_attempt_at=run_after)


def jobs_state_refresh() -> None:
    """Publish the jobs' states for the metrics (after the change is committed: a rolled-back
    job was never pending). Never fails its caller: the metrics are not the jobs."""

    def publish() -> None:
        try:
            jobs_state_publish(*jobs_state())
        except Exception:
            logger.warning("the jobs' states could not be published", exc_info=True)

    transaction.on_commit(publish)


def access_job_create(
    *,
    kind: str,
    reason: str,
    user: PortalUser | None,
    space_code: str,
    folders: Sequence[FolderGiven],
    registration: PanoptoRegistration | None,
    person: str = "",
) -> AccessJob:
    """Write a job and its task in the current transaction (atomic of its own outside one):
    committed with the change that caused it, or not at all."""
    with transaction.atomic():
        job = AccessJob.objects.create(
            kind=kind,
            reason=reason,
            user_id=user.pk if user is not None else None,
            person=(_person(user) if user is not None else person)[:300],
            panopto_username=panopto_username(user, registration)[:300] if user else "",
            space_code=space_code[:64],
            folders=[folder.as_json() for folder in folders],
        )
        _enqueue(job)
        jobs_state_refresh()
    return job


def revocation_on_membership_end(
    *,
    user: PortalUser,
    space_code: str,
    folders: Sequence[FolderGiven],
    reason: JobReason,
    registration: PanoptoRegistration | None,
) -> AccessJob:
    return access_job_create(
        kind=JobKind.REVOKE,
        reason=reason,
        user=user,
        space_code=space_code,
        folders=folders,
        registration=registration,
    )


def creator_revocation_on_role_change(
    *,
    user: PortalUser,
    space_code: str,
    folders: Sequence[FolderGiven],
    registration: PanoptoRegistration | None,
) -> AccessJob:
    """An administrator made a member: take back the Creator role of the space's folder only."""
    return access_job_create(
        kind=JobKind.REVOKE_CREATOR,
        reason=JobReason.ROLE_CHANGED,
        user=user,
        space_code=space_code,
        folders=folders,
        registration=registration,
    )


def access_job_folder_done(*, job: AccessJob, panopto_id: str) -> None:
    """One folder's access taken back: a retry of the job does not ask again."""
    if panopto_id not in job.done_folder_ids:
        job.done_folder_ids = [*job.done_folder_ids, panopto_id]
        AccessJob.objects.filter(pk=job.pk).update(done_folder_ids=job.done_folder_ids)


def access_job_finished(*, job: AccessJob, state: str, outcome: list[dict[str, Any]]) -> None:
    job.state = state
    job.outcome = outcome
    job.finished_at = timezone.now()
    job.next_attempt_at = None
    AccessJob.objects.filter(pk=job.pk).update(
        state=state, outcome=outcome, finished_at=job.finished_at, next_attempt_at=None
    )
    logger.info("access job %s %s: %s", job.pk, state, outcome)


def access_job_attempt_failed(*, job: AccessJob, error: str, retry: bool) -> None:
    """An attempt Panopto did not answer (`retry`: queued again after the backoff, or failed
    after MAX_ATTEMPTS) or refused (failed at once). The next task is written in the same
    transaction as the attempt."""
    with transaction.atomic():
        job.attempts += 1
        job.last_error = error[:2000]
        AccessJob.objects.filter(pk=job.pk).update(attempts=job.attempts, last_error=job.last_error)
        if retry and job.attempts < MAX_ATTEMPTS:
            _enqueue(job, run_after=timezone.now() + backoff(job.attempts))
            logger.warning("access job %s: attempt %s failed (%s)", job.pk, job.attempts, error)
        else:
            access_job_finished(job=job, state=JobState.FAILED, outcome=[])


def access_job_retry(*, job: AccessJob) -> bool:
    """IT asks for a failed job again (the admin's action): pending, attempts from zero, queued
    at once. A job that is not failed is left alone. True when queued."""
    with transaction.atomic():
        changed = AccessJob.objects.filter(pk=job.pk, state=JobState.FAILED).update(
            state=JobState.PENDING, attempts=0, finished_at=None
        )
        if not changed:
            return False
        job.refresh_from_db()
        _enqueue(job)
        jobs_state_refresh()
    return True


# --- workers that died -----------------------------------------------------------------------


def worker_id_here() -> str:
    """A worker's id that names its host and process (at most 64 characters), so that a worker
    starting on the same host can tell a dead one's tasks: `host:pid:random`."""
    from django.utils.crypto import get_random_string

    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_here(worker_ids: list[str]) -> bool:
    """The task's last worker ran on this host and its process is gone."""
    if not worker_ids:
        return False
    host, _sep, rest = str(worker_ids[-1]).partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    return int(pid_text) != os.getpid() and not _process_alive(int(pid_text))


def jobs_requeue_lost(*, now: datetime.datetime | None = None) -> list[AccessJob]:
    """Queue again the pending jobs whose task no worker will finish: its worker was killed
    in the middle (the task RUNNING longer than JOBS_LEASE_SECONDS, or its worker's process on
    this host is gone), the task failed outside the job's own handling, or it is missing. The
    job itself is idempotent: what it did before is not done twice. Returns the jobs queued."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    pending = list(AccessJob.objects.filter(state=JobState.PENDING))
    tasks = {
        str(task.id): task
        for task in DBTaskResult.objects.filter(
            id__in=[job.task_id for job in pending if job.task_id]
        )
    }
    requeued = []
    for job in pending:
        task = tasks.get(job.task_id)
        if task is not None and task.status == TASK_READY:
            continue
        if (
            task is not None
            and task.status == TASK_RUNNING
            and task.started_at is not None
            and task.started_at > now - lease
            and not _dead_here(task.worker_ids)
        ):
            continue
        if task is not None and task.status not in (TASK_RUNNING, TASK_FAILED):
            continue  # finished as the job says: it queued its own next task
        with transaction.atomic():
            if task is not None and task.status == TASK_RUNNING:
                DBTaskResult.objects.filter(pk=task.pk, status=TASK_RUNNING).update(
                    status=TASK_FAILED,
                    finished_at=now,
                    exception_class_path="worker_lost",
                    traceback="The worker stopped during the task; the job was queued again.",
                )
            _enqueue(job)
        logger.warning("access job %s: its worker stopped during it; queued again", job.pk)
        requeued.append(job)
    return requeued


# --- what Panopto holds, and IT's requests (the "why" page) -----------------------------------


def folder_access_entries(found: Any) -> list[dict[str, str]]:
    return [
        {"username": e.username, "role": e.role, "how": e.how.value, "group": e.group}
        for e in found.entries
    ]


def folder_access_read(*, panopto_id: str, found: Any) -> None:
    """Keep what Panopto said of a folder's access (`FolderAccessCheck`), for the "why" page."""
    folder = PanoptoFolder.objects.filter(panopto_id=panopto_id).exclude(panopto_id="").first()
    if folder is None:
        return
    FolderAccessCheck.objects.update_or_create(
        folder=folder,
        defaults={
            "checked_at": timezone.now(),
            "entries": folder_access_entries(found),
            "is_public": bool(found.is_public),
        },
    )


def access_job_requested(
    *, kind: str, user: PortalUser, folders: Sequence[FolderGiven], space_code: str
) -> AccessJob:
    """IT asks from the "why" page: take the person's access to these folders back now, or
    read the folders' access in Panopto again. Queued; the worker does it (never the page)."""
    return access_job_create(
        kind=kind,
        reason=JobReason.IT_REQUEST,
        user=user,
        space_code=space_code,
        folders=folders,
        registration=PanoptoRegistration.load(),
    )

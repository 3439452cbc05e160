"""Running an access job (issue 24): take a person's access to folders back in Panopto, except
where the portal's rules still entitle them (`permissions.entitlement.folder_entitlement`,
asked at run time, so a person added again meanwhile keeps their access) — or, for an
administrator made a member, only their Creator role, unless they administer the space again
(`permissions.entitlement.folder_creator_entitlement`).

Idempotent: Panopto's revocation is (taking back what is not held changes nothing), a folder
done is recorded before the next, and a finished job does nothing when its task runs again —
so a worker killed in the middle, or a task delivered twice, has its effect once. While Panopto
cannot be asked the job is retried with backoff; a refusal (a SOAP fault) fails it for IT.
"""

from django.core.exceptions import ImproperlyConfigured

from panopto_link.jobs import calls
from panopto_link.jobs.services import (
    access_job_attempt_failed,
    access_job_finished,
    access_job_folder_done,
    folder_access_read,
)
from panopto_link.jobs.words import Outcome
from panopto_link.models import AccessJob, JobKind, JobState
from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import ApiConnection, api_connection
from panopto_link.permissions.entitlement import (
    folder_creator_entitlement,
    folder_entitlement,
)
from panopto_link.selectors.jobs import entitlement_facts


def access_job_run(job_id: int) -> str:
    """Run the job once; returns its state afterwards (the task's return value)."""
    job = AccessJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.is_finished:
        return job.state  # a task delivered again: the effect was had once
    _run(job)
    return job.state


def _run(job: AccessJob) -> None:
    if job.kind == JobKind.RECHECK:
        _recheck(job)
        return
    if job.kind not in (JobKind.REVOKE, JobKind.REVOKE_CREATOR):
        access_job_finished(
            job=job, state=JobState.NOTHING_TO_DO, outcome=[{"code": Outcome.UNKNOWN_KIND}]
        )
        return
    if not job.panopto_username:
        access_job_finished(
            job=job,
            state=JobState.NOTHING_TO_DO,
            outcome=[{"code": Outcome.NO_USERNAME}],
        )
        return
    asked = _folders_and_connection(job)
    if asked is None:
        return
    with_ids, connection = asked
    creator_only = job.kind == JobKind.REVOKE_CREATOR
    taken_back = Outcome.CREATOR_TAKEN_BACK if creator_only else Outcome.TAKEN_BACK
    lines: list[dict[str, str | int]] = []
    for folder in with_ids:
        panopto_id = folder["panopto_id"]
        label = f"{folder.get('space_name', '')} ({folder.get('space_code', '')})"
        if panopto_id in job.done_folder_ids:
            lines.append({"code": taken_back, "folder": label})
            continue
        facts = entitlement_facts(user_id=job.user_id, panopto_id=panopto_id)
        entitlement = (
            folder_creator_entitlement(facts) if creator_only else folder_entitlement(facts)
        )
        if entitlement is not None:
            lines.append({"code": Outcome.KEPT, "folder": label, "why": entitlement})
            continue
        revoke = calls.revoke_creator_access if creator_only else calls.revoke_folder_access
        try:
            result = revoke(connection, folder_id=panopto_id, username=job.panopto_username)
        except soap.PanoptoApiUnavailable as error:
            access_job_attempt_failed(job=job, error=str(error), retry=True)
            return
        except soap.PanoptoApiRefused as error:
            access_job_attempt_failed(job=job, error=str(error), retry=False)
            return
        access_job_folder_done(job=job, panopto_id=panopto_id)
        if result.changed:
            lines.append(
                {
                    "code": taken_back,
                    "folder": label,
                    "roles": ", ".join(result.roles),
                    "groups": ", ".join(result.groups),
                }
            )
        else:
            lines.append({"code": Outcome.NOTHING_HELD, "folder": label})
        if result.viewer_granted:
            lines.append({"code": Outcome.VIEWER_GRANTED, "folder": label})
        if result.folder_is_public:
            lines.append({"code": Outcome.PUBLIC_IN_PANOPTO, "folder": label})
        if result.kept_groups:
            lines.append(
                {
                    "code": Outcome.OTHER_GROUPS,
                    "folder": label,
                    "groups": ", ".join(result.kept_groups),
                }
            )
    without_ids = len(job.folders) - len(with_ids)
    if without_ids:
        lines.append({"code": Outcome.WITHOUT_IDS, "count": without_ids})
    access_job_finished(job=job, state=JobState.DONE, outcome=lines)


def _recheck(job: AccessJob) -> None:
    """Read who has access to the job's folders in Panopto now and keep it for the "why"
    page (`FolderAccessCheck`); nothing is changed in Panopto."""
    asked = _folders_and_connection(job)
    if asked is None:
        return
    with_ids, connection = asked
    lines: list[dict[str, str | int]] = []
    for folder in with_ids:
        label = f"{folder.get('space_name', '')} ({folder.get('space_code', '')})"
        try:
            found = calls.folder_access(connection, folder_id=folder["panopto_id"])
        except soap.PanoptoApiUnavailable as error:
            access_job_attempt_failed(job=job, error=str(error), retry=True)
            return
        except soap.PanoptoApiRefused as error:
            access_job_attempt_failed(job=job, error=str(error), retry=False)
            return
        folder_access_read(panopto_id=folder["panopto_id"], found=found)
        lines.append({"code": Outcome.RECHECKED, "folder": label, "count": len(found.entries)})
    access_job_finished(job=job, state=JobState.DONE, outcome=lines)


def _folders_and_connection(job: AccessJob) -> tuple[list[dict], ApiConnection] | None:
    """The job's folders that have a Panopto id, and the connection to ask Panopto with; None
    when there is nothing to ask — the job is then finished (no ids, no API settings) or failed
    (a key that cannot be decrypted), saying why."""
    with_ids = [folder for folder in job.folders if folder.get("panopto_id")]
    if not with_ids:
        access_job_finished(
            job=job, state=JobState.NOTHING_TO_DO, outcome=[{"code": Outcome.NO_PANOPTO_IDS}]
        )
        return None
    try:
        connection = api_connection()
    except ImproperlyConfigured as error:
        access_job_attempt_failed(job=job, error=str(error), retry=False)
        return None
    if connection is None:
        access_job_finished(
            job=job, state=JobState.NOTHING_TO_DO, outcome=[{"code": Outcome.NO_API_SETTINGS}]
        )
        return None
    return with_ids, connection

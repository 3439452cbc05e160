"""Running an access job (issue 24): take a person's access to folders back in Panopto, except
where the portal's rules still entitle them (`permissions.folder_entitlement`, asked at run
time, so a person added again meanwhile keeps their access).

Idempotent: Panopto's revocation is (taking back what is not held changes nothing), a folder
done is recorded before the next, and a finished job does nothing when its task runs again —
so a worker killed in the middle, or a task delivered twice, has its effect once. While Panopto
cannot be asked the job is retried with backoff; a refusal (a SOAP fault) fails it for IT.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _

from panopto_link.jobs import calls
from panopto_link.jobs.services import (
    access_job_attempt_failed,
    access_job_finished,
    access_job_folder_done,
)
from panopto_link.models import AccessJob, JobKind, JobState
from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import api_connection
from panopto_link.permissions import ENTITLEMENT_MESSAGES, folder_entitlement
from panopto_link.selectors.jobs import entitlement_facts


def access_job_run(job_id: int) -> str:
    """Run the job once; returns its state afterwards (the task's return value)."""
    job = AccessJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.is_finished:
        return job.state  # a task delivered again: the effect was had once
    with translation.override(settings.LANGUAGE_CODE):
        _run(job)
    return job.state


def _run(job: AccessJob) -> None:
    if job.kind != JobKind.REVOKE:
        access_job_finished(
            job=job, state=JobState.NOTHING_TO_DO, outcome=_("Not a job this worker knows.")
        )
        return
    if not job.panopto_username:
        access_job_finished(
            job=job,
            state=JobState.NOTHING_TO_DO,
            outcome=_("The person has no username in Panopto: nothing to take back."),
        )
        return
    with_ids = [folder for folder in job.folders if folder.get("panopto_id")]
    if not with_ids:
        access_job_finished(
            job=job,
            state=JobState.NOTHING_TO_DO,
            outcome=_(
                "No folder of the space has a Panopto id (never confirmed in Panopto by "
                "panopto_confirm): nothing to take back."
            ),
        )
        return
    try:
        connection = api_connection()
    except ImproperlyConfigured as error:
        access_job_attempt_failed(job=job, error=str(error), retry=False)
        return
    if connection is None:
        access_job_finished(
            job=job,
            state=JobState.NOTHING_TO_DO,
            outcome=_(
                "The Panopto registration has no API settings: the portal cannot take access "
                "back in Panopto (remove it there by hand)."
            ),
        )
        return
    lines = []
    for folder in with_ids:
        panopto_id = folder["panopto_id"]
        label = f"{folder.get('space_name', '')} ({folder.get('space_code', '')})"
        if panopto_id in job.done_folder_ids:
            lines.append(_("%(folder)s: taken back.") % {"folder": label})
            continue
        entitlement = folder_entitlement(
            entitlement_facts(user_id=job.user_id, panopto_id=panopto_id)
        )
        if entitlement is not None:
            lines.append(
                _("%(folder)s: kept, %(why)s.")
                % {"folder": label, "why": ENTITLEMENT_MESSAGES[entitlement]}
            )
            continue
        try:
            calls.revoke_folder_access(
                connection, folder_id=panopto_id, username=job.panopto_username
            )
        except soap.PanoptoApiUnavailable as error:
            access_job_attempt_failed(job=job, error=str(error), retry=True)
            return
        except soap.PanoptoApiRefused as error:
            access_job_attempt_failed(job=job, error=str(error), retry=False)
            return
        access_job_folder_done(job=job, panopto_id=panopto_id)
        lines.append(_("%(folder)s: taken back.") % {"folder": label})
    without_ids = len(job.folders) - len(with_ids)
    if without_ids:
        lines.append(
            _("%(count)d folder(s) without a Panopto id: nothing to take back there.")
            % {"count": without_ids}
        )
    access_job_finished(job=job, state=JobState.DONE, outcome="\n".join(lines))

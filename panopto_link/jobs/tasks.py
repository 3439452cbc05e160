"""The tasks the worker runs (`manage.py panopto_worker`, Django's tasks framework through the
django-tasks backport and its database backend, docs/decisions/0020)."""

from django_tasks import task


@task()
def run_access_job(job_id: int) -> str:
    """Run one access job (`panopto_link.jobs.run`); its state is the job's row."""
    from panopto_link.jobs.run import access_job_run
    from panopto_link.jobs.services import jobs_state_refresh

    state = access_job_run(job_id)
    jobs_state_refresh()
    return state

"""`manage.py panopto_worker`: the jobs' worker — django-tasks' `db_worker` (docs/decisions/0020)
with a worker id that names its host and process, which first queues again the jobs of a
worker that died in the middle of one (killed, the host restarted), so they are finished now
rather than after the lease. Every option of `db_worker` is accepted; the systemd unit
deploy/systemd/neptun-portal-worker.service runs it."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from panopto_link.jobs.services import jobs_requeue_lost, worker_id_here


class Command(DbWorkerCommand):
    help = (
        "Run the background jobs (taking Panopto access back): django-tasks' database worker, "
        "after queueing again the jobs a stopped worker left unfinished."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id_here())

    def handle(self, *args, **options) -> None:
        requeued = jobs_requeue_lost()
        if requeued:
            self.stdout.write(
                f"{len(requeued)} jobs a stopped worker left unfinished were queued again."
            )
        super().handle(*args, **options)

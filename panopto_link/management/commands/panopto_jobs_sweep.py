"""`manage.py panopto_jobs_sweep`: the jobs' timer (every minute, deploy/systemd/
neptun-portal-jobs-sweep.timer). It ends the memberships whose end date has passed — deleted
as a removal in the admin is, so each writes its revocation job — and queues again the jobs
whose worker stopped in the middle of them (after JOBS_LEASE_SECONDS). `--dry-run` says what
it would do."""

from django.core.management.base import BaseCommand

from core.clock import today
from panopto_link.jobs.services import jobs_requeue_lost, jobs_state_refresh
from virtualspaces.models import Membership
from virtualspaces.services import memberships_end_expired


class Command(BaseCommand):
    help = (
        "End expired memberships (their Panopto access is taken back) and queue again jobs "
        "a stopped worker left unfinished. Run every minute by a timer."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would end, change nothing."
        )

    def handle(self, *args, **options) -> None:
        day = today()
        if options["dry_run"]:
            expired = Membership.objects.filter(ends_on__lt=day).count()
            self.stdout.write(f"{expired} memberships ended before {day} would end (dry run).")
            return
        ended = memberships_end_expired(today=day)
        self.stdout.write(
            f"{ended} memberships ended before {day}: their Panopto access is being taken back."
        )
        requeued = jobs_requeue_lost()
        self.stdout.write(f"{len(requeued)} jobs left unfinished by a stopped worker queued again.")
        jobs_state_refresh()  # the metrics' snapshot, at least every minute

"""`manage.py prune_launch_data`: delete launch records older than the retention period
(LAUNCH_RECORD_RETENTION_DAYS) and consumed single-use values that have expired. Safe to run
while the portal serves launches, e.g. nightly from cron."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from panopto_link.lti_platform.models import ConsumedToken, LaunchRecord
from panopto_link.lti_platform.retention import launch_data_prune

LABELS = {
    "launch_records": "launch records",
    "consumed_tokens": "expired single-use values",
}


class Command(BaseCommand):
    help = "Delete launch records past the retention period and expired single-use values."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--retention-days",
            type=int,
            default=settings.LAUNCH_RECORD_RETENTION_DAYS,
            help="Keep launch records this many days "
            "(default: LAUNCH_RECORD_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Rows deleted per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, retention_days: int, batch_size: int, dry_run: bool, **options):
        if retention_days < 1:
            raise CommandError("--retention-days must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        now = timezone.now()
        cutoff = now - datetime.timedelta(days=retention_days)
        self.stdout.write(
            f"Retention: {retention_days} days; launch records before "
            f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} are deleted."
        )
        if dry_run:
            records = LaunchRecord.objects.older_than(cutoff).count()
            tokens = ConsumedToken.objects.filter(expires_at__lt=now).count()
            self.stdout.write(
                f"Dry run: {records} launch records and {tokens} expired single-use values "
                "would be deleted."
            )
            return

        def progress(kind: str, deleted: int, total: int) -> None:
            self.stdout.write(f"  {LABELS[kind]}: {deleted}/{total}")

        report = launch_data_prune(
            now=now, retention_days=retention_days, batch_size=batch_size, progress=progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {report.launch_records} launch records and {report.consumed_tokens} "
                "expired single-use values."
            )
        )

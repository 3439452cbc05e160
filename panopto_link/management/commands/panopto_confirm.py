"""`manage.py panopto_confirm`: look the created folders up in Panopto's API and keep Panopto's
folder ids; a folder Panopto lacks counts as not created again. Run it every minute or two on
one host (docs/operations.md, "Scheduled jobs"); `--recheck-hours` also looks again at folders
confirmed longer ago (nightly: notices folders deleted in Panopto). It also refreshes the
newest recordings the pages show (panopto_api/recordings.py)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from panopto_link.management.api import command_connection
from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api.confirm import confirm, folders_to_confirm
from panopto_link.panopto_api.recordings import recent_recordings_refresh


class Command(BaseCommand):
    help = "Confirm with Panopto's API that the created folders exist there (a scheduled job)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--recheck-hours",
            type=float,
            default=None,
            help="Also look again at folders confirmed more than this many hours ago.",
        )

    def handle(self, *args, **options) -> None:
        connection = command_connection()
        if connection is None:
            self.stdout.write("Panopto's API is not configured: nothing to confirm.")
            return
        hours = options["recheck_hours"]
        folders = folders_to_confirm(
            recheck_older_than=datetime.timedelta(hours=hours) if hours is not None else None
        )
        report = confirm(folders, connection=connection)
        for folder in report.missing:
            self.stdout.write(
                self.style.WARNING(
                    f"{folder.space.code}: not found in Panopto — counts as not created until "
                    "its administrator opens it again."
                )
            )
        self.stdout.write(
            f"{len(folders)} folders looked up: {len(report.found)} found, "
            f"{len(report.missing)} not found in Panopto."
        )
        if report.unavailable:
            raise CommandError(f"Panopto's API could not be asked: {report.unavailable}")
        confirmed = PanoptoFolder.objects.filter(state=FolderState.CREATED).exclude(panopto_id="")
        refreshed, stopped = recent_recordings_refresh(list(confirmed), connection=connection)
        self.stdout.write(f"Newest recordings refreshed for {refreshed} folders.")
        if stopped:
            raise CommandError(f"Refreshing the newest recordings stopped: {stopped}")

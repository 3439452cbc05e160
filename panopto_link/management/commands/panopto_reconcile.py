"""`manage.py panopto_reconcile [--dry-run]`: compare each confirmed folder's access in Panopto
with who may enter it by the portal's rules and take back what nobody is entitled to, and the
Creator role of whoever no longer administers the space (`panopto_link/jobs/reconcile.py`).
Nightly, by deploy/systemd/neptun-panopto-reconcile.timer. Prints a line per folder (progress)
and each change with its reason; the run is kept for the admin (*Panopto reconciliations*) and
its counts go to the metrics."""

from django.core.management.base import BaseCommand, CommandError

from panopto_link.jobs.reconcile import reconcile
from panopto_link.management.api import command_connection
from panopto_link.models import ReconcileReason


class Command(BaseCommand):
    help = (
        "Compare Panopto's folder access with the portal's rules and take back what nobody "
        "is entitled to, and the Creator role of whoever no longer administers the space "
        "(nightly)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be taken back; change nothing.",
        )

    def handle(self, *args, **options) -> None:
        connection = command_connection()
        if connection is None:
            self.stdout.write("Panopto's API is not configured: nothing to reconcile.")
            return
        dry_run = options["dry_run"]

        def progress(number, total, folder, changes) -> None:
            creators = [c for c in changes if c["reason"] == ReconcileReason.NOT_CREATOR]
            found = len(changes) - len(creators)
            self.stdout.write(
                f"[{number}/{total}] {folder.space.code}: {found} not entitled"
                + (f", {len(creators)} Creator not entitled" if creators else "")
                + (" (dry run)" if dry_run else (", taken back" if changes else ""))
            )
            for change in changes:
                how = change["how"] + (f" {change['group']}" if change["group"] else "")
                if change["reason"] == ReconcileReason.NOT_CREATOR:
                    why = (
                        "a Creator in Panopto, no longer an administrator of the space — the "
                        "Creator role "
                        + ("would be taken back" if dry_run else "taken back")
                        + ", Viewer kept"
                    )
                else:
                    why = (
                        "nobody in the portal is entitled — not a member of the space or of a "
                        "course linking it"
                        + ("; would be taken back" if dry_run else "; taken back")
                    )
                self.stdout.write(f"    {change['username']} ({change['role']}, {how}): {why}")

        run = reconcile(connection=connection, dry_run=dry_run, progress=progress)
        people = len({(c["space_code"], c["username"]) for c in run.not_entitled()})
        creators = len({(c["space_code"], c["username"]) for c in run.creators_not_entitled()})
        summary = f"{people} would be taken back" if dry_run else f"{run.taken_back} taken back"
        creator_summary = (
            f"{creators} would lose it" if dry_run else f"{run.creators_taken_back} taken back"
        )
        self.stdout.write(
            f"{run.folders_checked} folders checked, {run.access_seen} access entries seen, "
            f"{len(run.not_entitled())} not entitled, {summary}. "
            f"Creator roles of people who no longer administer the space: "
            f"{len(run.creators_not_entitled())} found, {creator_summary}."
        )
        if run.error:
            raise CommandError(f"Panopto's API could not be asked: {run.error}")

"""`manage.py panopto_provision`: open a term's folders in Panopto before the lecturers' first
visits (docs/operations.md, "Term start"). Idempotent and resumable; `--dry-run` shows what it
would do."""

from collections import Counter

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from panopto_link.panopto_api.connection import api_connection
from panopto_link.panopto_api.provision import Outcome, provision, spaces_to_provision

WORDS = {
    Outcome.PROVISIONED: "created in Panopto",
    Outcome.WOULD_PROVISION: "would be created in Panopto",
    Outcome.ALREADY_CREATED: "already created, left alone",
    Outcome.UNAVAILABLE: "Panopto did not answer",
    Outcome.REFUSED: "refused by Panopto",
}


class Command(BaseCommand):
    help = (
        "Create the Panopto folders of a semester's spaces (and of the spaces named) before the "
        "lecturers' first launches, so that members may enter at once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--semester", default="", help="The spaces of this semester, e.g. 2026/27/1."
        )
        parser.add_argument(
            "--space", action="append", default=[], dest="codes", metavar="CODE",
            help="A space by its code (repeatable).",
        )  # fmt: skip
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; change nothing."
        )

    def handle(self, *args, **options) -> None:
        if not options["semester"] and not options["codes"]:
            raise CommandError("Name the spaces: --semester and/or --space CODE.")
        try:
            connection = api_connection()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if connection is None:
            raise CommandError(
                "Panopto's API is not configured: give the registration its identity provider, "
                "application key and API user (docs/connecting-panopto.md, section 8)."
            )
        spaces = spaces_to_provision(semester=options["semester"], codes=options["codes"])
        missing = sorted(set(options["codes"]) - {space.code for space in spaces})
        if missing:
            raise CommandError(f"No space has the code: {', '.join(missing)}.")
        total = len(spaces)
        counted: Counter[Outcome] = Counter()
        for number, step in enumerate(
            provision(spaces, connection=connection, dry_run=options["dry_run"]), start=1
        ):
            counted[step.outcome] += 1
            line = (
                f"[{number}/{total}] {step.space.code} – {step.space.name}: {WORDS[step.outcome]}"
            )
            if step.detail:
                line += f" ({step.detail})"
            failed = step.outcome in (Outcome.UNAVAILABLE, Outcome.REFUSED)
            self.stdout.write(self.style.WARNING(line) if failed else line)
        done = sum(counted.values())
        summary = ", ".join(f"{counted[o]} {WORDS[o]}" for o in Outcome if counted[o])
        self.stdout.write(f"{total} spaces: {summary or 'nothing to do'}.")
        if done < total:
            self.stdout.write(
                self.style.WARNING(
                    f"Stopped after {done} of {total}: Panopto did not answer. Run the same "
                    "command again to resume; folders already created are left alone."
                )
            )
        if counted[Outcome.UNAVAILABLE] or counted[Outcome.REFUSED]:
            raise CommandError("Some folders were not created (see above).", returncode=1)

"""`manage.py panopto_provision`: open a term's folders in Panopto before the lecturers' first
visits (docs/operations.md, "Term start"). Idempotent and resumable; `--dry-run` shows what it
would do."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from core.names import person_name
from panopto_link.management.api import command_connection
from panopto_link.panopto_api.provision import (
    CreatorOutcome,
    Outcome,
    provision,
    spaces_to_provision,
    sync_creators,
)

WORDS = {
    Outcome.PROVISIONED: "created in Panopto",
    Outcome.WOULD_PROVISION: "would be created in Panopto",
    Outcome.ALREADY_CREATED: "already created, left alone",
    Outcome.UNAVAILABLE: "Panopto did not answer",
    Outcome.REFUSED: "refused by Panopto",
}
CREATOR_WORDS = {
    CreatorOutcome.SYNCED: "made Creator",
    CreatorOutcome.WOULD_SYNC: "would be made Creator",
    CreatorOutcome.NOT_RELEASED: (
        "not made Creator: the privacy level withholds their identifier (Creator at their "
        "first launch)"
    ),
    CreatorOutcome.NO_IDENTIFIER: (
        "not made Creator: they have no identifier to send (Creator at their first launch)"
    ),
    CreatorOutcome.UNAVAILABLE: "Panopto did not answer",
    CreatorOutcome.REFUSED: "refused by Panopto",
}
CREATOR_SUMMARY = {
    CreatorOutcome.SYNCED: "made Creator",
    CreatorOutcome.WOULD_SYNC: "would be made Creator",
    CreatorOutcome.NOT_RELEASED: "identifier withheld by the privacy level",
    CreatorOutcome.NO_IDENTIFIER: "without an identifier",
    CreatorOutcome.UNAVAILABLE: "not answered for",
    CreatorOutcome.REFUSED: "refused",
}
CREATOR_FAILED = (CreatorOutcome.UNAVAILABLE, CreatorOutcome.REFUSED)


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
        connection = command_connection()
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
        if counted[Outcome.UNAVAILABLE]:
            raise CommandError("Some folders were not created (see above).", returncode=1)
        # The folders Panopto refused are left out; the others' administrators are synced.
        creators_done = self.creators(spaces, connection, dry_run=options["dry_run"])
        if counted[Outcome.REFUSED]:
            raise CommandError("Some folders were not created (see above).", returncode=1)
        if not creators_done:
            raise CommandError(
                "Some administrators were not made Creators (see above); run the same command "
                "again to retry.",
                returncode=1,
            )

    def creators(self, spaces, connection, *, dry_run: bool) -> bool:
        """The administrators become the folders' Creators (SyncExternalUser); False when
        Panopto did not answer or refused for someone."""
        self.stdout.write("Administrators → Creators of the folders opened ahead:")
        counted: Counter[CreatorOutcome] = Counter()
        for number, step in enumerate(
            sync_creators(spaces, connection=connection, dry_run=dry_run), start=1
        ):
            counted[step.outcome] += 1
            name = person_name(step.user, language="en")  # the lines are English
            line = (
                f"  [{number}] {step.user.get_username()} ({name}): {CREATOR_WORDS[step.outcome]}"
            )
            if step.panopto_username:
                line += f" as {step.panopto_username}"
            if step.spaces:
                line += f" – {', '.join(step.spaces)}"
            if step.detail:
                line += f" ({step.detail})"
            self.stdout.write(self.style.WARNING(line) if step.outcome in CREATOR_FAILED else line)
        summary = ", ".join(
            f"{counted[o]} {CREATOR_SUMMARY[o]}" for o in CreatorOutcome if counted[o]
        )
        self.stdout.write(f"{sum(counted.values())} administrators: {summary or 'none'}.")
        return not any(counted[o] for o in CREATOR_FAILED)

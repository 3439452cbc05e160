"""`manage.py panopto_term_overview`: the term's Panopto folders nobody has opened yet, by
lecturer, and with `--send-reminders` an e-mail to each of them (docs/operations.md, "Term
start"). The admin's *Panopto folders* → *This term's overview* shows and does the same."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.names import person_name
from panopto_link.selectors import overview_semester, term_overview
from panopto_link.staff import term_reminders_send
from virtualspaces.models import VirtualSpace

# The command's lines are English, so are the names in them (Gábor Szabó); the e-mails are in
# the language active when they are sent.
OUTPUT_LANGUAGE = "en"


class Command(BaseCommand):
    help = (
        "List the term's Panopto folders not opened yet, by lecturer; --send-reminders e-mails "
        "each lecturer theirs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--semester",
            default="",
            help="The term, e.g. 2026/27/1 (default: the one running in two weeks' time).",
        )
        parser.add_argument(
            "--send-reminders",
            action="store_true",
            help="E-mail each lecturer the list of their folders (Django's e-mail settings).",
        )

    def handle(self, *args, **options) -> None:
        semester = options["semester"] or overview_semester()
        if not VirtualSpace.objects.filter(semester=semester).exists():
            raise CommandError(f"No space has the semester {semester}.")
        groups = term_overview(semester)
        total = sum(len(group.spaces) for group in groups)
        self.stdout.write(f"Term {semester}: {total} folders not opened yet.")
        for group in groups:
            lecturer = group.lecturer
            who = (
                f"{person_name(lecturer, language=OUTPUT_LANGUAGE)} "
                f"<{lecturer.email or 'no e-mail address'}>"
                if lecturer is not None
                else "No administrator (nobody can open these)"
            )
            self.stdout.write(f"{who}: {len(group.spaces)}")
            for space in group.spaces:
                self.stdout.write(f"  {space.code}  {space.name}")
        if not options["send_reminders"]:
            return

        def progress(done: int, count: int, name: str) -> None:
            self.stdout.write(f"[{done}/{count}] reminder sent to {name}")

        sent = term_reminders_send(
            semester=semester, groups=groups, portal_url=settings.LTI_ISSUER, progress=progress
        )
        self.stdout.write(self.style.SUCCESS(f"{sent.sent} reminders sent."))
        if sent.without_email:
            self.stdout.write(
                self.style.WARNING(
                    f"No e-mail address, not reminded: {', '.join(sent.without_email)}"
                )
            )

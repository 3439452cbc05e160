"""`manage.py panopto_configure`: set up or update the Panopto LTI registration from flags,
idempotently, and print what changed. The same command serves a real Panopto site and the demo's
stand-in."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from panopto_link.services import registration_configure

FLAG_FIELDS = {
    "client_id": "client_id",
    "deployment_id": "deployment_id",
    "login_url": "login_url",
    "launch_url": "launch_url",
    "deep_linking_url": "deep_linking_url",
    "jwks_url": "jwks_url",
    "site_url": "site_url",
}


class Command(BaseCommand):
    help = "Create or update the Panopto LTI 1.3 registration (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--client-id")
        parser.add_argument("--deployment-id")
        parser.add_argument("--login-url", help="Panopto's OIDC login initiation URL.")
        parser.add_argument("--launch-url", help="The target link URI of a launch.")
        parser.add_argument(
            "--deep-linking-url",
            help="Where Panopto's content picker opens (default: the launch URL).",
        )
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            help="A redirect URI registered for the tool (repeatable; replaces the list).",
        )
        parser.add_argument("--jwks-url", help="Panopto's JWKS URL.")
        parser.add_argument("--site-url", help="Panopto's site URL.")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", action="store_true", help="Enable the registration.")
        state.add_argument("--disable", action="store_true", help="Disable the registration.")

    def handle(self, *args, **options) -> None:
        values: dict = {}
        for option, field in FLAG_FIELDS.items():
            value = options.get(option)
            values[field] = value.strip() if isinstance(value, str) else value
        if options.get("redirect_uris"):
            values["redirect_uris"] = "\n".join(uri.strip() for uri in options["redirect_uris"])
        if options.get("enable"):
            values["is_enabled"] = True
        if options.get("disable"):
            values["is_enabled"] = False
        try:
            result = registration_configure(values=values)
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Invalid registration: {problems}") from error
        registration = result.registration
        if result.created:
            self.stdout.write("Created the Panopto registration.")
        for field, old, new in result.changes:
            label = registration.field_label(field)
            self.stdout.write(f"  {label}: {old or '—'} → {new}")
        if not result.created and not result.changes:
            self.stdout.write("No changes.")
        missing = registration.missing_field_labels()
        if missing:
            self.stdout.write(
                self.style.WARNING("Still missing (launches stay inactive): " + ", ".join(missing))
            )
        else:
            self.stdout.write(self.style.SUCCESS("The registration is complete."))

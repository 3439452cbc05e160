"""`manage.py panopto_configure`: set up or update the Panopto LTI registration from flags,
idempotently, and print what changed. The same command serves a real Panopto site and the demo's
stand-in."""

import os

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from panopto_link.models import IdentifierKind, LaunchOpens, PanoptoRegistration, PrivacyLevel
from panopto_link.permissions import identifier_change_warned
from panopto_link.selectors import registration_has_launched
from panopto_link.services import registration_configure

FLAG_FIELDS = {
    "client_id": "client_id",
    "deployment_id": "deployment_id",
    "login_url": "login_url",
    "launch_url": "launch_url",
    "deep_linking_url": "deep_linking_url",
    "jwks_url": "jwks_url",
    "site_url": "site_url",
    "privacy_level": "privacy_level",
    "identifier": "identifier_kind",
    "identifier_parameter": "identifier_parameter",
    "opens": "launch_opens",
    "api_provider_name": "api_provider_name",
    "api_user": "api_user",
    "api_rest_client_id": "api_rest_client_id",
}
IDENTITY_FIELDS = ("identifier_kind", "identifier_parameter")


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
        parser.add_argument(
            "--privacy-level",
            choices=PrivacyLevel.values,
            help="What Panopto learns of a person besides an opaque id and the roles.",
        )
        parser.add_argument(
            "--identifier",
            choices=IdentifierKind.values,
            help="What is sent as the institutional identifier (lis.person_sourcedid).",
        )
        parser.add_argument(
            "--identifier-parameter",
            help="Also send the identifier as this custom parameter (Panopto's username "
            'parameter override); "" for none.',
        )
        custom = parser.add_mutually_exclusive_group()
        custom.add_argument(
            "--custom",
            action="append",
            dest="custom_parameters",
            metavar="KEY=VALUE",
            help="A custom parameter sent with every launch, e.g. section=$CourseSection.sourcedId "
            "(repeatable; replaces the list).",
        )
        custom.add_argument("--no-custom", action="store_true", help="Send no custom parameters.")
        parser.add_argument(
            "--opens", choices=LaunchOpens.values, help="Where a launch opens Panopto."
        )
        site = parser.add_mutually_exclusive_group()
        site.add_argument(
            "--production-site",
            action="store_true",
            help="This registration is the production Panopto site.",
        )
        site.add_argument(
            "--not-production-site",
            action="store_true",
            help="This registration is not the production Panopto site (a test site).",
        )
        parser.add_argument(
            "--api-provider-name",
            help="Panopto's APIs: the instance name of the identity provider whose application "
            'key is given ("" with the two below turns the API calls off).',
        )
        parser.add_argument("--api-user", help="Panopto's APIs: the user the portal acts as.")
        parser.add_argument(
            "--api-key-env",
            metavar="VARIABLE",
            help="Panopto's APIs: the name of the environment variable holding the identity "
            "provider's application key (never on the command line, where other users of the "
            "machine can read it). Stored encrypted, never shown.",
        )
        parser.add_argument(
            "--no-api-key",
            action="store_true",
            help="Remove the stored application key.",
        )
        parser.add_argument(
            "--api-rest-client-id",
            help="Panopto's REST API (optional): the client id of the API client created in "
            'Panopto (System → API Clients); "" with --no-api-rest-client-secret turns it off.',
        )
        parser.add_argument(
            "--api-rest-client-secret-env",
            metavar="VARIABLE",
            help="Panopto's REST API: the name of the environment variable holding the API "
            "client's secret (never on the command line). Stored encrypted, never shown.",
        )
        parser.add_argument(
            "--no-api-rest-client-secret",
            action="store_true",
            help="Remove the stored REST API client secret.",
        )
        parser.add_argument(
            "--confirm-identifier-change",
            action="store_true",
            help="Change the identifier (or its parameter) of a registration that has launched: "
            "Panopto may then open new accounts.",
        )

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
        if options.get("custom_parameters"):
            values["custom_parameters"] = "\n".join(options["custom_parameters"])
        if options.get("no_custom"):
            values["custom_parameters"] = ""
        if options.get("production_site"):
            values["is_production_site"] = True
        if options.get("not_production_site"):
            values["is_production_site"] = False
        if options.get("api_key_env"):
            application_key = os.environ.get(options["api_key_env"], "").strip()
            if not application_key:
                raise CommandError(
                    f"The environment variable {options['api_key_env']} is empty or not set."
                )
            values["api_application_key"] = application_key
        if options.get("no_api_key"):
            values["api_application_key"] = ""
        if options.get("api_rest_client_secret_env"):
            client_secret = os.environ.get(options["api_rest_client_secret_env"], "").strip()
            if not client_secret:
                raise CommandError(
                    f"The environment variable {options['api_rest_client_secret_env']} is empty "
                    "or not set."
                )
            values["api_rest_client_secret"] = client_secret
        if options.get("no_api_rest_client_secret"):
            values["api_rest_client_secret"] = ""
        self.refuse_unconfirmed_identity_change(values, options["confirm_identifier_change"])
        try:
            result = registration_configure(values=values)
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Invalid registration: {problems}") from error
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        registration = result.registration
        if result.created:
            self.stdout.write("Created the Panopto registration.")
        for field, old, new in result.changes:
            label = registration.field_label(field)
            self.stdout.write(f"  {label}: {old or '—'} → {new}")
        if not result.created and not result.changes:
            self.stdout.write("No changes.")
        if registration.custom_parameters:
            self.stdout.write("Custom parameters sent with every launch:")
            for key, value in registration.custom_parameter_items():
                self.stdout.write(f"  {key} = {value}")
        if registration.has_api_settings:
            self.stdout.write("Panopto's APIs: configured (the application key is not shown).")
        if registration.has_rest_settings:
            self.stdout.write("Panopto's REST API: configured (the client secret is not shown).")
        missing = registration.missing_field_labels()
        if missing:
            self.stdout.write(
                self.style.WARNING("Still missing (launches stay inactive): " + ", ".join(missing))
            )
        else:
            self.stdout.write(self.style.SUCCESS("The registration is complete."))

    def refuse_unconfirmed_identity_change(self, values: dict, confirmed: bool) -> None:
        """Panopto matches accounts on the identifier: changing it (or its parameter) on a
        registration that has launched needs --confirm-identifier-change."""
        registration = PanoptoRegistration.load()
        if registration is None:
            return
        changing = [
            field
            for field in IDENTITY_FIELDS
            if values.get(field) is not None and values[field] != getattr(registration, field)
        ]
        if not changing or not identifier_change_warned(
            has_launched=registration_has_launched(registration)
        ):
            return
        warning = (
            "Panopto has received launches from this registration and matches its accounts on "
            "the identifier: with another identifier (or parameter) it may open a new, empty "
            "account for each person at their next launch, unless Panopto's username parameter "
            "override is changed at the same moment."
        )
        if not confirmed:
            raise CommandError(f"{warning} Add --confirm-identifier-change to change it anyway.")
        self.stderr.write(self.style.WARNING(warning))

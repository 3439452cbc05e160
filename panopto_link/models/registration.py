"""The Panopto site the institute has: its licence periods and its LTI registration."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panopto_link.lti.origins import origin
from panopto_link.lti.substitution import (
    CustomParameters,
    Problem,
    key_problem,
    parse_custom_parameters,
)

# --- Licence ---------------------------------------------------------------------------------


class PanoptoLicenceQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "PanoptoLicenceQuerySet":
        """Enabled licences whose period covers `day` (`selectors.panopto_setting` asks for
        today, in the portal's time zone)."""
        return self.filter(is_enabled=True, valid_from__lte=day, valid_until__gte=day)


class PanoptoLicence(models.Model):
    """One licence period; renewals add rows. Both boundary days are inside the period."""

    is_enabled = models.BooleanField(_("enabled"), default=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PanoptoLicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Panopto licence")
        verbose_name_plural = _("Panopto licences")
        ordering = ["-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="licence_period_not_reversed",
                violation_error_message=_("The licence cannot end before it starts."),
            )
        ]
        indexes = [models.Index(fields=["valid_from", "valid_until"], name="licence_period_idx")]

    def __str__(self) -> str:
        state = _("enabled") if self.is_enabled else _("disabled")
        return f"{self.valid_from} – {self.valid_until} ({state})"


# --- Registration ----------------------------------------------------------------------------


class PrivacyLevel(models.TextChoices):
    """What Panopto learns of a person besides the opaque `sub` and the roles (as Canvas's
    privacy levels). Who receives what is `permissions.released_personal_data`."""

    ANONYMOUS = "anonymous", _("anonymous: no name, e-mail address or identifier")
    NAME = "name", _("name only")
    EMAIL = "email", _("e-mail address only")
    NAME_AND_EMAIL = "name_and_email", _("name and e-mail address")


class IdentifierKind(models.TextChoices):
    """What is sent as the person's institutional identifier (lis.person_sourcedid)."""

    USERNAME = "username", _("portal username")
    EMAIL = "email", _("e-mail address")
    NEPTUN_CODE = "neptun_code", _("Neptun code (directory identifier)")


class LaunchOpens(models.TextChoices):
    """Where "Continue to the Panopto system" and "Play" open Panopto."""

    SAME_WINDOW = "same_window", _("in the same window")
    NEW_TAB = "new_tab", _("in a new tab")


# The custom parameter the portal itself sends with a course's dashboard launch (SPEC §3).
LINKED_FOLDERS_PARAMETER = "linked_folders"
RESERVED_CUSTOM_KEYS = (LINKED_FOLDERS_PARAMETER,)

CUSTOM_PARAMETER_PROBLEMS = {
    Problem.NO_EQUALS: _("Line %(line)d: write each parameter as key=value."),
    Problem.BAD_KEY: _(
        "Line %(line)d: the key “%(key)s” may contain only lower-case letters, digits and "
        "underscores, and starts with a letter (no spaces)."
    ),
    Problem.KEY_TOO_LONG: _("Line %(line)d: the key “%(key)s” is too long."),
    Problem.VALUE_TOO_LONG: _("Line %(line)d: the value of “%(key)s” is too long."),
    Problem.DUPLICATE_KEY: _("Line %(line)d: the key “%(key)s” is already given above."),
    Problem.RESERVED_KEY: _(
        "Line %(line)d: the portal sends “%(key)s” itself; choose another key."
    ),
}


class PanoptoRegistration(models.Model):
    """The LTI 1.3 registration of the institute's Panopto site (a single row)."""

    REQUIRED_FIELDS = (
        "client_id",
        "deployment_id",
        "login_url",
        "launch_url",
        "redirect_uris",
        "jwks_url",
    )

    is_enabled = models.BooleanField(_("enabled"), default=True)
    client_id = models.CharField(
        _("client id"),
        max_length=255,
        blank=True,
        help_text=_("The client id Panopto shows for this platform's identity provider."),
    )
    deployment_id = models.CharField(_("deployment id"), max_length=255, blank=True)
    login_url = models.URLField(
        _("Panopto login URL"),
        max_length=500,
        blank=True,
        help_text=_("Panopto's OIDC login initiation URL."),
    )
    launch_url = models.URLField(
        _("launch URL"),
        max_length=500,
        blank=True,
        help_text=_("The target link URI of a launch into Panopto."),
    )
    redirect_uris = models.TextField(
        _("redirect URIs"),
        blank=True,
        help_text=_("One per line; the id_token is only ever posted to one of these exactly."),
    )
    deep_linking_url = models.URLField(
        _("deep linking URL"),
        max_length=500,
        blank=True,
        db_default="",
        help_text=_("Where Panopto's content picker opens; empty means the launch URL."),
    )
    jwks_url = models.URLField(
        _("Panopto JWKS URL"),
        max_length=500,
        blank=True,
        help_text=_("Panopto's public keys, which sign the videos it returns from its picker."),
    )
    site_url = models.URLField(_("Panopto site URL"), max_length=500, blank=True)
    is_production_site = models.BooleanField(
        _("production Panopto site"),
        db_default=False,
        default=False,
        help_text=_(
            "Tick for the registration of the production Panopto site. The self-test warns when "
            "a portal whose environment (PORTAL_ENVIRONMENT) is not production points at it — "
            "for example a test portal restored from a production backup — because its launches "
            "would create real folders and accounts."
        ),
    )
    privacy_level = models.CharField(
        _("privacy level"),
        db_default=PrivacyLevel.NAME,
        max_length=16,
        choices=PrivacyLevel.choices,
        default=PrivacyLevel.NAME,
        help_text=_(
            "What Panopto learns of a person besides an opaque, stable id and the role. Send no "
            "more than Panopto needs: names show who recorded or commented; e-mail addresses "
            "let Panopto send notifications. Anonymous also withholds the institutional "
            "identifier."
        ),
    )
    identifier_kind = models.CharField(
        _("institutional identifier"),
        db_default=IdentifierKind.USERNAME,
        max_length=16,
        choices=IdentifierKind.choices,
        default=IdentifierKind.USERNAME,
        help_text=_(
            "Sent as lis.person_sourcedid (and as the custom parameter below): what Panopto "
            "matches its accounts on. Choose the value your single sign-on gives Panopto, or "
            "lecturers end up with a second, empty Panopto account."
        ),
    )
    identifier_parameter = models.CharField(
        _("custom parameter of the identifier"),
        default="",
        db_default="",
        max_length=64,
        blank=True,
        help_text=_(
            "Also send the identifier as this custom parameter (e.g. neptun_code), the name to "
            "enter in Panopto's username parameter override. Lower-case letters, digits and "
            "underscores. Empty: only lis.person_sourcedid."
        ),
    )
    custom_parameters = models.TextField(
        _("custom parameters"),
        default="",
        db_default="",
        blank=True,
        help_text=_(
            "Sent with every launch, one key=value per line; keys in lower-case letters, digits "
            "and underscores. A value that is exactly a substitution variable is replaced at "
            "each launch: $User.id, $User.username, $Person.sourcedId, $Person.name.full, "
            "$Person.name.given, $Person.name.family, $Person.email.primary, $Context.id, "
            "$Context.title, $Context.label, $CourseSection.sourcedId (the space code), "
            "$ResourceLink.id, $ResourceLink.title. Variables are case-sensitive; an unknown one, "
            "or one the privacy level withholds, is sent as written."
        ),
    )
    launch_opens = models.CharField(
        _("Panopto opens"),
        db_default=LaunchOpens.SAME_WINDOW,
        max_length=16,
        choices=LaunchOpens.choices,
        default=LaunchOpens.SAME_WINDOW,
        help_text=_(
            "Where a launch from the portal opens Panopto. In a new tab the portal stays open; "
            "every check of the launch is the same."
        ),
    )
    # Panopto's APIs (SPEC §7), optional: without them the portal only launches. The SOAP
    # PublicAPI authenticates as "{api_provider_name}\{user}" with an auth code derived from
    # the identity provider's application key (panopto_link/panopto_api/auth.py).
    api_provider_name = models.CharField(
        _("identity provider instance name"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The instance name of the identity provider in Panopto (System → Identity "
            "Providers) whose application key is entered below."
        ),
    )
    api_key_encrypted = models.TextField(
        _("encrypted application key"),
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    api_user = models.CharField(
        _("API user name"),
        max_length=150,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The Panopto user (of that identity provider) the portal acts as: it needs the "
            "right to find and create folders, e.g. an administrator."
        ),
    )
    # Panopto's REST API (optional, on top of the three above): the OAuth2 password grant of an
    # API client, as the identity provider's user (panopto_link/panopto_api/rest.py).
    api_rest_client_id = models.CharField(
        _("REST API client id"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The client id of an API client created in Panopto (System → API Clients) for the "
            "REST API. Optional: without it the portal uses the SOAP API alone."
        ),
    )
    api_rest_secret_encrypted = models.TextField(
        _("encrypted REST API client secret"),
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Panopto registration")
        verbose_name_plural = _("Panopto registration")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="registration_single_row"),
            models.CheckConstraint(
                condition=Q(privacy_level__in=PrivacyLevel.values),
                name="registration_privacy_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(identifier_kind__in=IdentifierKind.values),
                name="registration_identifier_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(launch_opens__in=LaunchOpens.values),
                name="registration_launch_opens_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.client_id or str(_("Panopto registration (incomplete)"))

    @classmethod
    def load(cls) -> "PanoptoRegistration | None":
        return cls.objects.filter(pk=1).first()

    @property
    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]

    @property
    def deep_linking_target(self) -> str:
        return self.deep_linking_url or self.launch_url

    @property
    def opens_in_new_tab(self) -> bool:
        return self.launch_opens == LaunchOpens.NEW_TAB

    def parsed_custom_parameters(self) -> CustomParameters:
        return parse_custom_parameters(self.custom_parameters, reserved=RESERVED_CUSTOM_KEYS)

    def custom_parameter_items(self) -> tuple[tuple[str, str], ...]:
        """The valid `key=value` lines, in order (a saved registration has no invalid one)."""
        return self.parsed_custom_parameters().items

    def tool_origins(self) -> tuple[str, ...]:
        """The origins where the tool lives (RFC 6454, `lti.origins.origin`: a registration
        typed `https://Egyetem.hosted.panopto.com:443` lives at
        `https://egyetem.hosted.panopto.com`): video links and thumbnails must point there."""
        origins = [origin(url) for url in (self.launch_url, self.deep_linking_url, self.site_url)]
        return tuple(dict.fromkeys(found for found in origins if found))

    @property
    def has_api_settings(self) -> bool:
        """All three API settings are given: the portal may call Panopto's APIs."""
        return bool(self.api_provider_name and self.api_user and self.api_key_encrypted)

    @property
    def has_rest_settings(self) -> bool:
        """The API settings and the REST client's id and secret: the portal may call the REST
        API (its token is asked for as the API user, with the application key)."""
        return bool(
            self.has_api_settings and self.api_rest_client_id and self.api_rest_secret_encrypted
        )

    def missing_fields(self) -> list[str]:
        """Names of the required fields that are still empty, in form order."""
        return [name for name in self.REQUIRED_FIELDS if not getattr(self, name).strip()]

    @classmethod
    def field_label(cls, name: str) -> str:
        field = cls._meta.get_field(name)
        return str(field.verbose_name) if isinstance(field, models.Field) else name

    def missing_field_labels(self) -> list[str]:
        return [self.field_label(name) for name in self.missing_fields()]

    def clean(self) -> None:
        errors: dict[str, list] = {}
        parsed = self.parsed_custom_parameters()
        for problem in parsed.problems:
            errors.setdefault("custom_parameters", []).append(
                ValidationError(
                    CUSTOM_PARAMETER_PROBLEMS[problem.problem],
                    code=problem.problem.value,
                    params={"line": problem.line, "key": problem.key},
                )
            )
        parameter = self.identifier_parameter.strip()
        self.identifier_parameter = parameter
        if parameter:
            if key_problem(parameter, reserved=RESERVED_CUSTOM_KEYS) is not None:
                errors.setdefault("identifier_parameter", []).append(
                    ValidationError(
                        _(
                            "Use lower-case letters, digits and underscores, starting with a "
                            "letter (no spaces), and not “%(reserved)s”."
                        ),
                        code="bad_key",
                        params={"reserved": LINKED_FOLDERS_PARAMETER},
                    )
                )
            elif parameter in dict(parsed.items):
                errors.setdefault("identifier_parameter", []).append(
                    ValidationError(
                        _(
                            "“%(key)s” is also one of the custom parameters below: the "
                            "identifier's parameter needs a key of its own."
                        ),
                        code="duplicate_key",
                        params={"key": parameter},
                    )
                )
        if self.identifier_kind == IdentifierKind.EMAIL and self.privacy_level not in (
            PrivacyLevel.EMAIL,
            PrivacyLevel.NAME_AND_EMAIL,
        ):
            errors.setdefault("identifier_kind", []).append(
                ValidationError(
                    _(
                        "The e-mail address cannot be the identifier while the privacy level "
                        "withholds e-mail addresses: choose another identifier or a privacy "
                        "level with e-mail addresses."
                    ),
                    code="identifier_withheld",
                )
            )
        self.api_provider_name = self.api_provider_name.strip()
        self.api_user = self.api_user.strip()
        if "\\" in self.api_provider_name:
            errors.setdefault("api_provider_name", []).append(
                ValidationError(
                    _("Enter the instance name alone, without a backslash or a user name."),
                    code="backslash",
                )
            )
        api_settings = (self.api_provider_name, self.api_user, self.api_key_encrypted)
        if any(api_settings) and not all(api_settings):
            errors.setdefault("api_provider_name", []).append(
                ValidationError(
                    _(
                        "Panopto's APIs need all three: the identity provider's instance name, "
                        "its application key and the API user name — or none of them."
                    ),
                    code="api_settings_incomplete",
                )
            )
        self.api_rest_client_id = self.api_rest_client_id.strip()
        rest_settings = (self.api_rest_client_id, self.api_rest_secret_encrypted)
        if any(rest_settings) and not all(rest_settings):
            errors.setdefault("api_rest_client_id", []).append(
                ValidationError(
                    _(
                        "The REST API needs both the API client's id and its secret — or "
                        "neither of them."
                    ),
                    code="rest_settings_incomplete",
                )
            )
        elif all(rest_settings) and not all(api_settings):
            errors.setdefault("api_rest_client_id", []).append(
                ValidationError(
                    _(
                        "The REST API is asked as the API user with the identity provider's "
                        "application key: enter those three settings as well."
                    ),
                    code="rest_without_api_settings",
                )
            )
        if errors:
            raise ValidationError(errors)

"""The Panopto side of the portal: licence, LTI registration, folders, links and videos."""

import datetime
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panopto_link.lti.substitution import (
    CustomParameters,
    Problem,
    key_problem,
    parse_custom_parameters,
)
from virtualspaces.models import SpaceType, VirtualSpace


def new_opaque_id() -> str:
    """A random identifier that says nothing about the space it names."""
    return uuid.uuid4().hex


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
        """The scheme://host[:port] origins where the tool lives: video links must point there."""
        origins = []
        for url in (self.launch_url, self.deep_linking_url, self.site_url):
            if url:
                parts = urlsplit(url)
                origins.append(f"{parts.scheme}://{parts.netloc}")
        return tuple(dict.fromkeys(origins))

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
        if errors:
            raise ValidationError(errors)


# --- Folders ---------------------------------------------------------------------------------


class FolderState(models.TextChoices):
    NOT_CREATED = "not_created", _("not created")
    CREATED = "created", _("created")


class PanoptoFolder(models.Model):
    """A space's Panopto folder. Panopto keys it by `context_id`, which therefore never changes
    once a launch has used it: a changed id would make Panopto open a new, empty folder. Before
    that, an IT administrator may give it the context id of a folder that already exists in
    Panopto (`services.folder_give_existing_context`). The database refuses a change of a used
    context id (see the trigger in migration 0008), not only this model."""

    space = models.OneToOneField(
        VirtualSpace,
        verbose_name=_("virtual space"),
        on_delete=models.CASCADE,
        related_name="panopto_folder",
    )
    # LTI Core §5.4.1: at most 255 ASCII characters (an existing folder's id may be long).
    context_id = models.CharField(
        _("context id"), max_length=255, unique=True, default=new_opaque_id, editable=False
    )
    resource_link_id = models.CharField(
        _("resource link id"), max_length=64, unique=True, default=new_opaque_id, editable=False
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FolderState.choices, default=FolderState.NOT_CREATED
    )
    context_used_at = models.DateTimeField(
        _("context id first sent at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When a launch first named the folder's context id (its message hint was issued); "
            "from then on the context id never changes."
        ),
    )
    is_existing_folder = models.BooleanField(
        _("existing Panopto folder"),
        db_default=False,
        default=False,
        editable=False,
        help_text=_(
            "The context id was given by an IT administrator for a folder that already existed "
            "in Panopto (from an earlier integration)."
        ),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("context created at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("context created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Panopto folder")
        verbose_name_plural = _("Panopto folders")
        ordering = ["space__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[choice.value for choice in FolderState]),
                name="folder_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state=FolderState.NOT_CREATED) | Q(created_at__isnull=False),
                name="folder_created_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space.code} – {self.get_state_display()}"

    @property
    def is_created(self) -> bool:
        return self.state == FolderState.CREATED


class FolderLink(models.Model):
    """A course space showing another space's Panopto folder (typically its subject's)."""

    course = models.ForeignKey(
        VirtualSpace,
        verbose_name=_("course space"),
        on_delete=models.CASCADE,
        related_name="folder_links",
        limit_choices_to={"space_type": SpaceType.COURSE},
    )
    linked_space = models.ForeignKey(
        VirtualSpace,
        verbose_name=_("linked space"),
        on_delete=models.CASCADE,
        related_name="linked_from",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("linked Panopto folder")
        verbose_name_plural = _("linked Panopto folders")
        ordering = ["course", "position", "linked_space__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "linked_space"],
                name="folderlink_once_per_course",
                violation_error_message=_("This folder is already linked to the course."),
            ),
            models.CheckConstraint(
                condition=~Q(course=models.F("linked_space")),
                name="folderlink_not_to_itself",
                violation_error_message=_("A space cannot link its own folder."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} → {self.linked_space.code}"

    def clean(self) -> None:
        # Also enforced by a database trigger (migration 0002): only a course links folders.
        if self.course_id and self.course.space_type != SpaceType.COURSE:
            raise ValidationError(
                {"course": _("Only a course space can link other spaces' Panopto folders.")},
                code="not_a_course",
            )


class VideoLink(models.Model):
    """A Panopto recording linked into a space through the content picker (Deep Linking 2.0).
    Opening it is a resource-link launch to `url` with its `custom` parameters."""

    class Target(models.TextChoices):
        IFRAME = "iframe", _("embedded")
        WINDOW = "window", _("new window")

    space = models.ForeignKey(
        VirtualSpace,
        verbose_name=_("virtual space"),
        on_delete=models.CASCADE,
        related_name="video_links",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("description"), blank=True)
    url = models.URLField(_("launch URL"), max_length=2000)
    custom = models.JSONField(_("custom parameters"), default=dict, blank=True)
    thumbnail_url = models.URLField(_("thumbnail URL"), max_length=2000, blank=True)
    document_target = models.CharField(
        _("opens"), max_length=8, choices=Target.choices, default=Target.WINDOW
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    # What the tool said of the recording, when it said it (the item's `recorded_at`, `duration`).
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("length (seconds)"), null=True, blank=True)
    # The recording linked, as `permissions.recording_identity` names it (a SHA-256 digest, so
    # that a long URL fits an index): a space links each recording once.
    recording_key = models.CharField(_("recording key"), max_length=64, blank=True, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    resource_link_id = models.CharField(
        _("resource link id"), max_length=64, unique=True, default=new_opaque_id, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("video link")
        verbose_name_plural = _("video links")
        ordering = ["space", "position", "id"]
        indexes = [models.Index(fields=["space", "position"], name="videolink_space_pos_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "recording_key"],
                condition=~Q(recording_key=""),
                name="videolink_recording_once_per_space",
                violation_error_message=_("This recording is already linked to the space."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.space.code}: {self.title}"

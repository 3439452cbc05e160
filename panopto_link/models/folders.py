"""Each space's Panopto folder, the folders a course links, and the recordings linked into a
space."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from virtualspaces.models import SpaceType, VirtualSpace


def new_opaque_id() -> str:
    """A random identifier that says nothing about the space it names."""
    return uuid.uuid4().hex


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
    # What Panopto's API says of the folder (SPEC §7, `manage.py panopto_confirm`): its id
    # there, when it was last looked up, and since when Panopto has lacked it.
    panopto_id = models.CharField(
        _("Panopto folder id"), max_length=64, blank=True, default="", db_default="",
        editable=False,
    )  # fmt: skip
    panopto_checked_at = models.DateTimeField(
        _("looked up in Panopto at"), null=True, blank=True, editable=False
    )
    panopto_missing_since = models.DateTimeField(
        _("not found in Panopto since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Panopto's API did not find the folder: it counts as not created until its "
            "administrator opens it again."
        ),
    )
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
    # The item linked — its URL and custom map — as `permissions.recording_identity` names it (a
    # SHA-256 digest, so that it fits an index): a space links each video once.
    recording_key = models.CharField(
        _("recording key"), max_length=64, blank=True, editable=False, db_default=""
    )
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

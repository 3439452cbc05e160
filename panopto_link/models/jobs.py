"""Jobs that change a person's access in Panopto (issue 24): taking access back when a
membership ends, re-checking what Panopto holds. A job carries everything it needs after the
rows that caused it are gone (the person's Panopto username, the Panopto ids of the folders),
and keeps its attempts, its last error and what it did, for IT to read in the admin. It is run
by the tasks framework's worker (`panopto_link.jobs.tasks`, docs/decisions/0020)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    REVOKE = "revoke", _("take access back")
    RECHECK = "recheck", _("re-check access in Panopto")
    REVOKE_CREATOR = "revoke_creator", _("take the Creator role back")


class JobReason(models.TextChoices):
    MEMBERSHIP_REMOVED = "membership_removed", _("membership removed")
    MEMBERSHIP_EXPIRED = "membership_expired", _("membership expired")
    SPACE_DELETED = "space_deleted", _("space deleted")
    PERSON_DELETED = "person_deleted", _("person deleted")
    IT_REQUEST = "it_request", _("asked for by IT")
    ROLE_CHANGED = "role_changed", _("administrator made a member")


class ReconcileReason(models.TextChoices):
    """Why the nightly reconciliation takes something back."""

    NOT_ENTITLED = "not_entitled", _("nobody in the portal is entitled")  # all of it
    NOT_CREATOR = "not_creator", _("a Creator who no longer administers the space")  # Creator only


class JobState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    NOTHING_TO_DO = "nothing_to_do", _("nothing to do")
    FAILED = "failed", _("failed")


FINISHED_STATES = (JobState.DONE, JobState.NOTHING_TO_DO, JobState.FAILED)


class AccessJob(models.Model):
    kind = models.CharField(_("job"), max_length=16, choices=JobKind.choices)
    reason = models.CharField(_("why"), max_length=32, choices=JobReason.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.CharField(
        _("person"), max_length=300, help_text=_("Who the job is for, as the portal named them.")
    )
    panopto_username = models.CharField(
        _("Panopto username"),
        max_length=300,
        blank=True,
        help_text=_("The person's username as the launch sends it to Panopto."),
    )
    space_code = models.CharField(_("space"), max_length=64, blank=True)
    # [{"space_code": ..., "space_name": ..., "panopto_id": ...}]: the space's own folder and
    # the linked folders it gave, as they were when the job was written.
    folders = models.JSONField(_("folders"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.PENDING
    )
    # Counts the tries that failed (the backoff and MAX_ATTEMPTS read it), not the runs: a job
    # done at its first try has 0 — so the admin names it "failed attempts".
    attempts = models.PositiveIntegerField(
        _("failed attempts"),
        default=0,
        help_text=_(
            "Tries that Panopto did not answer (retried later) or refused; 0 for a job done at "
            "its first try. Set to 0 again when IT asks for a failed job again."
        ),
    )
    last_error = models.TextField(_("last error"), blank=True)
    # What the job did, as codes (`panopto_link.jobs.words` reads them in the reader's language).
    outcome = models.JSONField(_("outcome"), default=list, blank=True)
    # Folder ids whose access this job has already taken back: a retry does not repeat them.
    done_folder_ids = models.JSONField(_("folders done"), default=list, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Panopto access job")
        verbose_name_plural = _("Panopto access jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[choice.value for choice in JobKind]),
                name="accessjob_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[choice.value for choice in JobState]),
                name="accessjob_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="accessjob_state_idx"),
            models.Index(fields=["user", "state"], name="accessjob_user_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_named} ({self.space_code})"

    @property
    def person_named(self) -> str:
        """Who the job is for in the reader's language order (Kovács Hanna; Hanna Kovács) while
        they have an account; after it is deleted, as the job was written."""
        return str(self.user) if self.user_id is not None and self.user else self.person

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


class ReconcileRun(models.Model):
    """One run of `manage.py panopto_reconcile`: what it compared and what it changed, for IT's
    admin page (and the metrics)."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    folders_checked = models.PositiveIntegerField(_("folders checked"), default=0)
    access_seen = models.PositiveIntegerField(_("access entries seen"), default=0)
    taken_back = models.PositiveIntegerField(_("taken back"), default=0)
    # People whose Creator role alone was taken back (members, not administrators, now).
    creators_taken_back = models.PositiveIntegerField(
        _("Creator roles taken back"), default=0, db_default=0
    )
    # [{"space_code", "username", "role", "how", "group", "reason", "done"}]; reason is
    # "not_entitled" (all access taken back) or "not_creator" (only the Creator part).
    changes = models.JSONField(_("changes"), default=list, blank=True)
    error = models.TextField(_("stopped because"), blank=True)

    class Meta:
        verbose_name = _("Panopto reconciliation")
        verbose_name_plural = _("Panopto reconciliations")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    def not_entitled(self) -> list[dict]:
        """The changes of access nobody in the portal is entitled to."""
        return [c for c in self.changes if c.get("reason") == ReconcileReason.NOT_ENTITLED]

    def creators_not_entitled(self) -> list[dict]:
        """The changes of a Creator role held by someone who no longer administers the space."""
        return [c for c in self.changes if c.get("reason") == ReconcileReason.NOT_CREATOR]


class FolderAccessCheck(models.Model):
    """Who had access to a folder in Panopto when it was last read (by the reconciliation or a
    re-check job): what IT's "why" page shows, never read live from Panopto by a page."""

    folder = models.OneToOneField(
        "panopto_link.PanoptoFolder",
        verbose_name=_("Panopto folder"),
        on_delete=models.CASCADE,
        related_name="access_check",
    )
    checked_at = models.DateTimeField(_("read from Panopto at"))
    # [{"username", "role", "how", "group"}]
    entries = models.JSONField(_("access in Panopto"), default=list, blank=True)
    is_public = models.BooleanField(_("public in Panopto"), default=False)

    class Meta:
        verbose_name = _("access read from Panopto")
        verbose_name_plural = _("access read from Panopto")

    def __str__(self) -> str:
        return f"{self.folder_id} @ {self.checked_at}"

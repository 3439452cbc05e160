"""The LTI platform's own records: the audit row of every launch step, its signing keys and the
single-use values it consumed. The tables keep the names they had when the platform's models lived
in `panopto_link` (migration 0001 of this app moved them without moving data)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from virtualspaces.models import VirtualSpace

# --- Launch records --------------------------------------------------------------------------


class LaunchStage(models.TextChoices):
    INITIATION = "initiation", _("login initiation")
    AUTHORIZATION = "authorization", _("authorization")
    DEEP_LINKING_RETURN = "deep_linking_return", _("deep linking return")


class LaunchOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")


class LaunchRecordQuerySet(models.QuerySet):
    def older_than(self, moment: datetime.datetime) -> "LaunchRecordQuerySet":
        return self.filter(created_at__lt=moment)


class LaunchRecord(models.Model):
    """Audit row of one step of one launch attempt. Written once, never edited."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    stage = models.CharField(_("stage"), max_length=32, choices=LaunchStage.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=LaunchOutcome.choices)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panopto_launches",
    )
    space = models.ForeignKey(
        VirtualSpace,
        verbose_name=_("virtual space"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panopto_launches",
    )
    context_id = models.CharField(_("context id"), max_length=255, blank=True)
    role_sent = models.CharField(_("role sent"), max_length=200, blank=True)
    message_type = models.CharField(_("message type"), max_length=64, blank=True)
    client_id = models.CharField(_("client id"), max_length=255, blank=True)
    hint_id = models.CharField(_("hint id"), max_length=64, blank=True)
    # What an accepted step sent, as the platform recorded it from the plan: the personal
    # claims, the custom parameters' keys, where the tool opens, and the tool's own facts
    # (for Panopto: the privacy level and the identifier). The admin shows it in words. NULL
    # for the rows of refusals and of servers of the previous release.
    sent = models.JSONField(_("sent"), null=True, blank=True, default=dict, editable=False)
    attempts = models.PositiveIntegerField(
        _("attempts"),
        default=1,
        db_default=1,  # the previous release inserts rows without it (rolling deploys)
        help_text=_(
            "How many attempts the row stands for: more than one for the refusals of one "
            "address or one signed-in user beyond their limit, counted in one row."
        ),
    )

    objects = LaunchRecordQuerySet.as_manager()

    class Meta:
        db_table = "panopto_link_launchrecord"
        verbose_name = _("launch record")
        verbose_name_plural = _("launch records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["space", "-created_at"], name="launch_space_time_idx"),
            models.Index(fields=["user", "-created_at"], name="launch_user_time_idx"),
        ]

    def __str__(self) -> str:
        """The record's title (its admin page): the local time, the step and its outcome in
        the reader's language (issue 25 item 9: it was UTC and English codes)."""
        moment = timezone.localtime(self.created_at)
        day = date_format(moment, "SHORT_DATE_FORMAT")
        return f"{day} {moment:%H:%M:%S} – {self.get_stage_display()}: {self.get_outcome_display()}"


# --- Platform keys ---------------------------------------------------------------------------


class KeyState(models.TextChoices):
    NEXT = "next", _("next (published, not signing yet)")
    CURRENT = "current", _("current (signing)")
    PREVIOUS = "previous", _("previous (published for verification)")
    RETIRED = "retired", _("retired")


class PlatformKey(models.Model):
    """An RSA-2048 signing key of the platform. The private key is stored encrypted with a key
    from the environment and erased when the key retires; see `panopto_link.lti_platform.keys`."""

    kid = models.CharField(_("key id"), max_length=64, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=KeyState.choices)
    public_jwk = models.JSONField(_("public key (JWK)"), editable=False)
    private_key_encrypted = models.TextField(_("encrypted private key"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    activated_at = models.DateTimeField(_("signing since"), null=True, blank=True)
    deactivated_at = models.DateTimeField(_("stopped signing at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        db_table = "panopto_link_platformkey"
        verbose_name = _("platform signing key")
        verbose_name_plural = _("platform signing keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[choice.value for choice in KeyState]),
                name="platformkey_state_valid",
            ),
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="current"), name="platformkey_one_current"
            ),
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="next"), name="platformkey_one_next"
            ),
        ]
        indexes = [models.Index(fields=["state"], name="platformkey_state_idx")]

    def __str__(self) -> str:
        return f"{self.kid} ({self.get_state_display()})"


# --- Single-use values -----------------------------------------------------------------------


class ConsumedToken(models.Model):
    """A message hint or nonce that has been used. Inserting is the consumption: the unique
    index makes a second use fail on every app server at once (docs/decisions/0001)."""

    class Kind(models.TextChoices):
        MESSAGE_HINT = "hint", _("message hint")
        DEEP_LINKING_NONCE = "dl_nonce", _("deep-linking response nonce")
        DEEP_LINKING_DATA = "dl_data", _("deep-linking data")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=128)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        db_table = "panopto_link_consumedtoken"
        verbose_name = _("consumed single-use value")
        verbose_name_plural = _("consumed single-use values")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="consumedtoken_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

"""Virtual spaces (subject, course, other) and who belongs to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpaceType(models.TextChoices):
    SUBJECT = "subject", _("Subject")
    COURSE = "course", _("Course")
    OTHER = "other", _("Other")


class MembershipRole(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    MEMBER = "member", _("member")
    GUEST_MEMBER = "guest_member", _("guest member")


class VirtualSpaceQuerySet(models.QuerySet):
    def public(self) -> "VirtualSpaceQuerySet":
        return self.filter(is_public=True)

    def of_user(self, user) -> "VirtualSpaceQuerySet":
        """Spaces where the user holds a membership of any role."""
        return self.filter(memberships__user=user)


class VirtualSpace(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("The space's code in the portal, e.g. NPUINF101 or NPUINF101-EA-2026-27-1."),
    )
    space_type = models.CharField(_("type"), max_length=16, choices=SpaceType.choices)
    semester = models.CharField(
        _("semester"),
        max_length=16,
        blank=True,
        help_text=_("Required for courses, e.g. 2026/27/1."),
    )
    subject = models.ForeignKey(
        "self",
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        limit_choices_to={"space_type": SpaceType.SUBJECT},
        help_text=_("For a course: the subject it belongs to."),
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Anyone signed in may see a public space and enter it as a guest."),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = VirtualSpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("virtual space")
        verbose_name_plural = _("virtual spaces")
        ordering = ["space_type", "name", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(space_type__in=[choice.value for choice in SpaceType]),
                name="virtualspace_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(space_type=SpaceType.COURSE) | ~Q(semester=""),
                name="virtualspace_course_has_semester",
                violation_error_message=_("A course space needs a semester."),
            ),
            models.CheckConstraint(
                condition=Q(space_type=SpaceType.COURSE) | Q(subject__isnull=True),
                name="virtualspace_only_course_has_subject",
                violation_error_message=_("Only a course space belongs to a subject."),
            ),
        ]
        indexes = [
            models.Index(fields=["is_public", "space_type"], name="vspace_public_type_idx"),
            models.Index(fields=["semester"], name="vspace_semester_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    space = models.ForeignKey(
        VirtualSpace,
        verbose_name=_("virtual space"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    # Issue 24: a guest's invitation (or any membership) may end on a day; the sweep
    # (`services.memberships_end_expired`, run by `manage.py panopto_jobs_sweep` on its timer)
    # ends it the day after, through the same deletion as a removal in the admin.
    ends_on = models.DateField(
        _("ends on"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the last day of the membership (e.g. a guest's invitation). The day "
            "after, the membership ends and Panopto takes the person's access back."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["space__code", "user__username"]
        constraints = [
            # The unique index (user, space) also serves "a user's memberships".
            models.UniqueConstraint(
                fields=["user", "space"],
                name="membership_one_per_user_and_space",
                violation_error_message=_("This user already has a membership in this space."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=[choice.value for choice in MembershipRole]),
                name="membership_role_valid",
            ),
        ]
        indexes = [
            # "A space's members", by role (the administrators first).
            models.Index(fields=["space", "role"], name="membership_space_role_idx"),
            # The expiry sweep: memberships with an end date before today.
            models.Index(
                fields=["ends_on"],
                name="membership_ends_on_idx",
                condition=Q(ends_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.space.code} ({self.get_role_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the role as read, so that the services can tell a role change (and whose
        it was before) when they save: `role_loaded` (None for a membership not read)."""
        instance = super().from_db(db, field_names, values)
        if "role" in field_names:
            instance.role_loaded = values[list(field_names).index("role")]
        return instance

    role_loaded: str | None = None

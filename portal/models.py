"""The portal's user: Django's user with a stable, opaque identifier for external systems."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.names import full_name

# A Neptun code is six letters and digits (ABC123); a directory identifier may be longer and
# carry dots, hyphens and underscores. No spaces: it is what Panopto matches accounts on.
directory_identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    _(
        "Use letters and digits (a Neptun code such as ABC123); a directory identifier may also "
        "contain dots, hyphens and underscores, but no spaces."
    ),
    code="invalid_neptun_code",
)


class User(AbstractUser):
    """A student, lecturer or administrator. `username` is what the person signs in with;
    `neptun_code` the identifier of the university's student information system (or
    directory), which Panopto may be told to match accounts on."""

    # Sent to Panopto as the LTI `sub`: random, so it reveals neither the Neptun code nor the
    # database id, and stored, so it survives a change of SECRET_KEY or a database reload.
    lti_subject = models.UUIDField(
        _("LTI subject"), default=uuid.uuid4, unique=True, editable=False
    )
    neptun_code = models.CharField(
        _("Neptun code"),
        max_length=64,
        default="",
        db_default="",
        blank=True,
        validators=[directory_identifier],
        help_text=_(
            "The person's Neptun code or identifier in the university's directory, e.g. ABC123. "
            "Sent to Panopto as the institutional identifier when the Panopto registration says "
            "so; then it must not change, or Panopto sees a new person."
        ),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs lacks it
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["neptun_code"],
                condition=~Q(neptun_code=""),
                name="user_neptun_code_unique",
                violation_error_message=_("Another user already has this Neptun code."),
            )
        ]

    def get_full_name(self) -> str:
        """The full name in the order of the active language: family name first in Hungarian
        (`core.names`). Django's own puts the given name first whatever the language, and its
        admin, widgets and e-mails name a user by it or by `__str__`."""
        return full_name(self.first_name, self.last_name)

    def __str__(self) -> str:
        name = self.get_full_name()
        return f"{name} ({self.username})" if name else self.username


class ExternalIdentity(models.Model):
    """A person's identity at an identity provider (eduID over SAML 2.0), bound to one portal
    user: the provider's entity id and the stable key it gives (eduPersonPrincipalName, or a
    persistent NameID). Bound once, by portal/eduid/services.py; a name or an e-mail address
    never binds an identity to an account."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user")
    )
    issuer = models.CharField(_("identity provider"), max_length=1024)
    subject = models.CharField(
        _("identifier"),
        max_length=1024,
        help_text=_("eduPersonPrincipalName, or the persistent NameID where none is released."),
    )
    created_at = models.DateTimeField(_("bound at"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("eduID identity")
        verbose_name_plural = _("eduID identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_issuer_subject_unique"
            ),
            # One identity per provider and user: a second one is a collision for IT to look at.
            models.UniqueConstraint(
                fields=["issuer", "user"], name="external_identity_issuer_user_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.issuer})"

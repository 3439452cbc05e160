"""The portal's user: Django's user with a stable, opaque identifier for external systems."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A student, lecturer or administrator; `username` is the Neptun code."""

    # Sent to Panopto as the LTI `sub`: random, so it reveals neither the Neptun code nor the
    # database id, and stored, so it survives a change of SECRET_KEY or a database reload.
    lti_subject = models.UUIDField(
        _("LTI subject"), default=uuid.uuid4, unique=True, editable=False
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs lacks it
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

"""How people sign in: the portal's own passwords (`PasswordBackend`) and eduID over SAML 2.0
(`portal.eduid.backends.EduIdBackend`).

`PASSWORD_SIGN_IN` chooses who may still use a password: `everyone` (the demo, an institute
without eduID) or `administrators`, the break-glass accounts (superusers) that must work while
the identity provider does not. It holds for the portal's sign-in page and the admin's alike,
since both authenticate through this backend."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def password_sign_in_allowed(user) -> bool:
    """Whether `user` may sign in with a password under `PASSWORD_SIGN_IN`."""
    everyone = settings.PASSWORD_SIGN_IN == "everyone"  # noqa: S105  # a choice, not a password
    return everyone or bool(getattr(user, "is_superuser", False))


class PasswordBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and password_sign_in_allowed(user)

"""Writes of the eduID sign-in: the account an identity signs in to, found, bound or made.

The rules (docs/decisions/0023): an identity already bound signs in to its account; an unbound
one is bound to an existing account only through the verified attribute the institute chose
(SAML_MATCH_ATTRIBUTE: the Neptun code, or the user name being the eduPersonPrincipalName),
never by a name or an e-mail address; otherwise a new account is made just in time
(SAML_CREATE_USERS). An account that merely looks like the person's (the same user name or
Neptun code while matching on it is not configured, or an account bound to another identity of
the same provider) is a collision: refused, for IT to resolve, never taken over.
"""

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.eduid.identity import Identity, IdentityRefused
from portal.models import ExternalIdentity, User

logger = logging.getLogger(__name__)

MATCH_ATTRIBUTES = ("", "neptun_code", "username")


def _collision(code: str) -> IdentityRefused:
    return IdentityRefused(
        _(
            "An account of the portal already belongs to someone with these details, and it is "
            "not bound to your eduID identity. Please contact the portal's IT support: they can "
            "bind it."
        ),
        code=code,
    )


def _refresh_details(user: User, identity: Identity) -> None:
    """Name and e-mail follow the identity provider; the Neptun code is set once. A Neptun code
    that differs from the one the account has is not applied (Panopto would see a new person):
    it is logged for IT."""
    if identity.first_name or identity.last_name:
        user.first_name, user.last_name = identity.first_name, identity.last_name
    if identity.email:
        user.email = identity.email
    if identity.neptun_code and identity.neptun_code != user.neptun_code:
        taken = User.objects.filter(neptun_code=identity.neptun_code).exclude(pk=user.pk).exists()
        if user.neptun_code or taken:
            logger.warning(
                "eduID sign-in of user %s: the identity provider's Neptun code differs from the "
                "account's and was not applied",
                user.pk,
            )
        else:
            user.neptun_code = identity.neptun_code


def _matching_account(identity: Identity) -> User | None:
    attribute = settings.SAML_MATCH_ATTRIBUTE
    if attribute == "neptun_code" and identity.neptun_code:
        return User.objects.filter(neptun_code=identity.neptun_code).first()
    if attribute == "username" and identity.principal_name:
        return User.objects.filter(username=identity.principal_name).first()
    return None


def _new_account(identity: Identity) -> User:
    username = identity.principal_name or f"eduid-{uuid.uuid4().hex[:16]}"
    if User.objects.filter(username__iexact=username).exists():
        raise _collision("username_taken")
    if identity.neptun_code and User.objects.filter(neptun_code=identity.neptun_code).exists():
        raise _collision("neptun_code_taken")
    user = User(username=username[:150])
    user.set_unusable_password()
    _refresh_details(user, identity)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_sign_in_with_identity(*, identity: Identity) -> User:
    """The account `identity` signs in to, its details refreshed and the sign-in noted. Raises
    IdentityRefused (a collision, or no account while SAML_CREATE_USERS is off)."""
    bound = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if bound is not None:
        user = bound.user
        _refresh_details(user, identity)
        user.save()
    else:
        user_or_none = _matching_account(identity)
        if user_or_none is not None:
            user = user_or_none
            if user.external_identities.filter(issuer=identity.issuer).exists():
                raise _collision("bound_to_another_identity")
            _refresh_details(user, identity)
            user.save()
        elif settings.SAML_CREATE_USERS:
            user = _new_account(identity)
        else:
            raise IdentityRefused(
                _(
                    "The portal has no account for your eduID identity. Please contact the "
                    "portal's IT support."
                ),
                code="no_account",
            )
        try:
            with transaction.atomic():
                bound = ExternalIdentity.objects.create(
                    user=user, issuer=identity.issuer, subject=identity.subject
                )
        except IntegrityError:  # bound at this very moment by a sign-in in another tab
            raise _collision("bound_concurrently") from None
    bound.last_sign_in_at = timezone.now()
    bound.save(update_fields=["last_sign_in_at"])
    return user

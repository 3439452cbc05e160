"""What an identity provider's verified answer says of a person, read from pysaml2's
`session_info` (the assertion's subject and attributes, already checked by then)."""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from portal.eduid.config import EMAIL_ATTRIBUTE, PRINCIPAL_ATTRIBUTE
from portal.models import directory_identifier

# HREF's attribute specification: eduPersonPrincipalName is user@scope of these characters.
PRINCIPAL_NAME = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\Z")
PERSISTENT_PREFIX = "persistent:"


class IdentityRefused(Exception):
    """The answer was valid SAML but names nobody the portal may sign in; `message` says why in
    the person's words."""

    def __init__(self, message: Any, *, code: str) -> None:
        super().__init__(code)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str  # eduPersonPrincipalName, or "persistent:" and the persistent NameID
    principal_name: str  # eduPersonPrincipalName, "" where none was released
    first_name: str
    last_name: str
    email: str
    neptun_code: str


def _first(attributes: dict[str, list[Any]], name: str) -> str:
    values = attributes.get(name) or []
    value = values[0] if values else ""
    return value.strip() if isinstance(value, str) else ""


def identity_from_session_info(session_info: dict[str, Any]) -> Identity:
    """The person in `session_info`. Raises IdentityRefused when the answer carries no stable
    key: neither an eduPersonPrincipalName of the allowed form nor a persistent NameID."""
    attributes = session_info.get("ava") or {}
    issuer = str(session_info.get("issuer") or "")
    principal_name = _first(attributes, PRINCIPAL_ATTRIBUTE)
    if principal_name and not PRINCIPAL_NAME.match(principal_name):
        raise IdentityRefused(
            _("Your identity provider sent a user identifier the portal cannot accept."),
            code="invalid_principal_name",
        )
    name_id = session_info.get("name_id")
    if principal_name:
        subject = principal_name
    elif name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT and name_id.text:
        subject = PERSISTENT_PREFIX + name_id.text.strip()
    else:
        raise IdentityRefused(
            _(
                "Your identity provider did not send a permanent identifier "
                "(eduPersonPrincipalName). Please ask your university's IT to release it to "
                "the portal."
            ),
            code="no_stable_identifier",
        )
    given = _first(attributes, "givenName")
    surname = _first(attributes, "sn")
    if not (given or surname):
        # Only a display name: its order (family name first in Hungarian) is not guessed.
        surname = _first(attributes, "displayName")
    neptun_attribute = settings.SAML_NEPTUN_CODE_ATTRIBUTE
    neptun_code = _first(attributes, neptun_attribute)[:64] if neptun_attribute else ""
    email = _first(attributes, EMAIL_ATTRIBUTE)[:254]
    return Identity(
        issuer=issuer,
        subject=subject[:1024],
        principal_name=principal_name,
        first_name=given[:150],
        last_name=surname[:150],
        # Values the account could not hold are left out rather than stored half-valid.
        email=email if _valid(validate_email, email) else "",
        neptun_code=neptun_code if _valid(directory_identifier, neptun_code) else "",
    )


def _valid(validator: Any, value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True

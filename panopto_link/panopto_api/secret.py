"""The application key and the REST API client's secret at rest: encrypted with the same Fernet
keys that protect the platform's signing keys (LTI_KEY_ENCRYPTION_KEY, the first of them
encrypts), so the database alone does not reveal them, and rotating that setting covers all.
Each is written, never shown again: `registration_*_apply` put a new one on the registration
(unsaved; `services.registration_configure` and the admin's form save it)."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from core import at_rest
from panopto_link.models import PanoptoRegistration


def application_key_encrypt(application_key: str) -> str:
    return at_rest.encrypt(application_key.encode("utf-8"))


def application_key_decrypt(encrypted: str) -> str:
    """The plain application key. Raises ImproperlyConfigured when LTI_KEY_ENCRYPTION_KEY
    cannot decrypt it (the message names neither the key nor the value)."""
    return _decrypt(encrypted, what="The Panopto application key")


def rest_client_secret_encrypt(client_secret: str) -> str:
    return at_rest.encrypt(client_secret.encode("utf-8"))


def rest_client_secret_decrypt(encrypted: str) -> str:
    """The plain REST API client secret; raises ImproperlyConfigured as above."""
    return _decrypt(encrypted, what="The Panopto REST API client secret")


def _decrypt(encrypted: str, *, what: str) -> str:
    failure = f"{what} cannot be decrypted with LTI_KEY_ENCRYPTION_KEY: enter it again."
    try:
        return at_rest.decrypt(encrypted, failure=failure).decode("utf-8")
    except UnicodeError as error:
        raise ImproperlyConfigured(failure) from error


# How a change of the application key or the client secret is told: never its value.
SECRET_STORED = "stored, encrypted"  # noqa: S105 (words, not a secret)
SECRET_REMOVED = "removed"  # noqa: S105


def registration_application_key_apply(
    *, registration: PanoptoRegistration, application_key: str
) -> tuple[str, str, str] | None:
    """Put `application_key` (encrypted; "" removes it) on `registration`, unsaved. Returns the
    change as (field, old, new) in words that never contain the key, or None when the
    registration already holds this key. Raises ImproperlyConfigured when
    LTI_KEY_ENCRYPTION_KEY is missing."""
    return _secret_apply(
        registration,
        "api_key_encrypted",
        application_key,
        encrypt=application_key_encrypt,
        decrypt=application_key_decrypt,
    )


def registration_rest_client_secret_apply(
    *, registration: PanoptoRegistration, client_secret: str
) -> tuple[str, str, str] | None:
    """Put the REST API client's `client_secret` (encrypted; "" removes it) on `registration`,
    unsaved; returns the change as `registration_application_key_apply` does."""
    return _secret_apply(
        registration,
        "api_rest_secret_encrypted",
        client_secret,
        encrypt=rest_client_secret_encrypt,
        decrypt=rest_client_secret_decrypt,
    )


def _secret_apply(
    registration: PanoptoRegistration,
    field: str,
    secret: str,
    *,
    encrypt: Callable[[str], str],
    decrypt: Callable[[str], str],
) -> tuple[str, str, str] | None:
    secret = secret.strip()
    held = getattr(registration, field)
    if not secret:
        if not held:
            return None
        setattr(registration, field, "")
        return (field, SECRET_STORED, SECRET_REMOVED)
    if held:
        try:
            if decrypt(held) == secret:
                return None
        except ImproperlyConfigured:
            pass  # encrypted with a key no longer configured: replace it
    setattr(registration, field, encrypt(secret))
    return (field, SECRET_STORED if held else "", SECRET_STORED)

"""The application key at rest: encrypted with the same Fernet keys that protect the platform's
signing keys (LTI_KEY_ENCRYPTION_KEY, the first of them encrypts), so the database alone does
not reveal it, and rotating that setting covers both. The key is written, never shown again."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = settings.LTI_KEY_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("LTI_KEY_ENCRYPTION_KEY must be set.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "LTI_KEY_ENCRYPTION_KEY must be url-safe base64 of 32 bytes."
        ) from error


def application_key_encrypt(application_key: str) -> str:
    return _fernet().encrypt(application_key.encode("utf-8")).decode("ascii")


def application_key_decrypt(encrypted: str) -> str:
    """The plain application key. Raises ImproperlyConfigured when LTI_KEY_ENCRYPTION_KEY
    cannot decrypt it (the message names neither the key nor the value)."""
    try:
        return _fernet().decrypt(encrypted.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise ImproperlyConfigured(
            "The Panopto application key cannot be decrypted with LTI_KEY_ENCRYPTION_KEY: "
            "enter it again."
        ) from error

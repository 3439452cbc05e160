"""The application key at rest: encrypted with the same Fernet keys that protect the platform's
signing keys (LTI_KEY_ENCRYPTION_KEY, the first of them encrypts), so the database alone does
not reveal it, and rotating that setting covers both. The key is written, never shown again."""

from django.core.exceptions import ImproperlyConfigured

from core import at_rest


def application_key_encrypt(application_key: str) -> str:
    return at_rest.encrypt(application_key.encode("utf-8"))


def application_key_decrypt(encrypted: str) -> str:
    """The plain application key. Raises ImproperlyConfigured when LTI_KEY_ENCRYPTION_KEY
    cannot decrypt it (the message names neither the key nor the value)."""
    failure = (
        "The Panopto application key cannot be decrypted with LTI_KEY_ENCRYPTION_KEY: "
        "enter it again."
    )
    try:
        return at_rest.decrypt(encrypted, failure=failure).decode("utf-8")
    except UnicodeError as error:
        raise ImproperlyConfigured(failure) from error

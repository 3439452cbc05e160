"""The application key and the REST API client's secret at rest: encrypted with the same Fernet
keys that protect the platform's signing keys (LTI_KEY_ENCRYPTION_KEY, the first of them
encrypts), so the database alone does not reveal them, and rotating that setting covers all.
Each is written, never shown again."""

from django.core.exceptions import ImproperlyConfigured

from core import at_rest


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

"""Secrets kept encrypted at rest with LTI_KEY_ENCRYPTION_KEY (one or more Fernet keys, the
first encrypting, all decrypting: rotation): the platform's signing keys and Panopto's
application key. Messages never name the key or the value."""

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
            "LTI_KEY_ENCRYPTION_KEY must be url-safe base64 of 32 bytes "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from error


def encrypt(secret: bytes) -> str:
    """`secret` encrypted with the first of LTI_KEY_ENCRYPTION_KEY's keys, as ASCII text."""
    return _fernet().encrypt(secret).decode("ascii")


def decrypt(token: str, *, failure: str) -> bytes:
    """The secret `encrypt` gave `token` for. Raises ImproperlyConfigured with `failure` when
    none of LTI_KEY_ENCRYPTION_KEY's keys decrypts it (a key replaced, not rotated)."""
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError) as error:
        raise ImproperlyConfigured(failure) from error

"""The platform's public keys as the stand-in sees them: fetched from the registration's JWKS
URL through core.outbound — one fetch at a time across the workers, with a short timeout, a
failure remembered for a few seconds, the last good key set used while the platform's cannot
be had — kept for `CACHE_SECONDS`, and fetched again when a token names a key the copy does not
have (the platform may have rotated since), at most once per `REFETCH_PAUSE`.

Plain pylti1p3 fetches the key set on every launch without a timeout, or, with its key caching
switched on, never refetches on an unknown `kid`."""

import logging

import jwt

from core import outbound

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 3.0
CACHE_SECONDS = 300
REFETCH_PAUSE = 10
MAX_DOCUMENT_BYTES = 256 * 1024


class KeySetUnavailable(Exception):
    """The platform's JWKS could not be fetched or is not a key set."""


def http_get_json(url: str, *, timeout: float) -> dict:
    """GET a JSON document; a seam the tests replace with Django's test client."""
    return outbound.http_get_json(url, timeout=timeout, max_bytes=MAX_DOCUMENT_BYTES)


def _fetch_key_set(url: str) -> dict:
    document = http_get_json(url, timeout=FETCH_TIMEOUT_SECONDS)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the platform's key set is not a JWK Set")
    return document


def _key_set(url: str, *, refresh: bool = False) -> dict:
    try:
        return outbound.get_json(
            url,
            max_age=CACHE_SECONDS,
            fetch=_fetch_key_set,
            refresh=refresh,
            refresh_pause=REFETCH_PAUSE,
        )
    except outbound.OutboundUnavailable as error:
        logger.warning("platform JWKS unavailable at %s: %s", url, error)
        raise KeySetUnavailable(f"The platform's key set cannot be fetched: {error}") from None


def _find(document: dict, kid: str):
    for jwk in document["keys"]:
        if isinstance(jwk, dict) and jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            if jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
                continue
            try:
                return jwt.PyJWK(jwk, algorithm="RS256").key
            except jwt.PyJWKError:
                return None
    return None


def platform_key(url: str, kid: str):
    """The platform's RSA public key with this `kid`, or None when neither the kept key set
    nor one fresh fetch has it. Raises KeySetUnavailable when the key set cannot be had."""
    key = _find(_key_set(url), kid)
    if key is None:
        # Cached without this kid: one refetch, never more per launch (nor per REFETCH_PAUSE).
        key = _find(_key_set(url, refresh=True), kid)
    return key

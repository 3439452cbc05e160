"""The platform's public keys as the stand-in sees them: fetched from the registration's JWKS
URL with a timeout, kept in the shared cache, and fetched again once when a token names a key
the cached copy does not have (the platform may have rotated since).

Plain pylti1p3 fetches the key set on every launch without a timeout, or, with its key caching
switched on, never refetches on an unknown `kid`."""

import hashlib
import logging

import jwt
import requests
from django.core.cache import cache

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 300
MAX_DOCUMENT_BYTES = 256 * 1024


class KeySetUnavailable(Exception):
    """The platform's JWKS could not be fetched or is not a key set."""


def _cache_key(url: str) -> str:
    return "panopto_simulator:jwks:" + hashlib.sha256(url.encode()).hexdigest()


def http_get_json(url: str, *, timeout: float) -> dict:
    """GET a JSON document; a seam the tests replace with Django's test client."""
    response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
    response.raise_for_status()
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise ValueError("key set too large")
    return response.json()


def fetch_key_set(url: str) -> dict:
    """Fetch the key set (raises KeySetUnavailable) and cache it."""
    try:
        document = http_get_json(url, timeout=FETCH_TIMEOUT_SECONDS)
    except (requests.RequestException, ValueError) as error:
        logger.warning("platform JWKS unavailable at %s: %s", url, error)
        raise KeySetUnavailable(f"The platform's key set cannot be fetched: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetUnavailable("The platform's key set is not a JWK Set.")
    cache.set(_cache_key(url), document, CACHE_SECONDS)
    return document


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
    """The platform's RSA public key with this `kid`, or None when neither the cached key set
    nor one fresh fetch has it. Raises KeySetUnavailable when a needed fetch fails."""
    cached = cache.get(_cache_key(url))
    key = _find(cached, kid) if cached is not None else None
    if key is None:
        # Not cached, or cached without this kid: one fetch, never more per launch.
        key = _find(fetch_key_set(url), kid)
    return key

"""The tool's public keys, fetched from the registration's JWKS URL: with a timeout, cached in
the shared cache, and fetched again once when a token names a key we have not seen (the tool
rotated its keys). While the shared cache is down, each process caches in its own memory, so
forged tokens still cannot make us fetch the tool's key set for every request."""

import hashlib
import json

import jwt
import requests
from django.core.cache.backends.locmem import LocMemCache

from core import shared_cache

FETCH_TIMEOUT = (3, 5)  # connect, read (seconds)
CACHE_SECONDS = 600
REFETCH_PAUSE = 10  # at most one refetch per this many seconds, whatever tokens arrive
MAX_JWKS_BYTES = 256 * 1024


class ToolKeysUnavailable(Exception):
    """The tool's JWKS cannot be fetched or read."""


def _cache_key(url: str, what: str) -> str:
    return f"panopto_link:tool_jwks:{what}:{hashlib.sha256(url.encode()).hexdigest()}"


_local = LocMemCache("panopto-tool-keys", {"OPTIONS": {"MAX_ENTRIES": 100}})


def _cached(method: str, *args):
    """`get`, `set` or `add` on the shared cache, or on this process's memory while it is down."""
    try:
        return getattr(shared_cache, method)(*args)
    except shared_cache.SharedCacheUnavailable:
        return getattr(_local, method)(*args)


def _fetch(url: str) -> dict:
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT, stream=True)
        response.raise_for_status()
        content = response.raw.read(MAX_JWKS_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise ToolKeysUnavailable(f"The tool's JWKS cannot be fetched: {error}") from error
    if len(content) > MAX_JWKS_BYTES:
        raise ToolKeysUnavailable("The tool's JWKS is too large.")
    try:
        document = json.loads(content)
    except ValueError as error:
        raise ToolKeysUnavailable("The tool's JWKS is not JSON.") from error
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ToolKeysUnavailable("The tool's JWKS has no keys.")
    _cached("set", _cache_key(url, "doc"), document, CACHE_SECONDS)
    return document


def _key_from(document: dict, kid: str):
    for entry in document.get("keys", []):
        if isinstance(entry, dict) and entry.get("kid") == kid:
            if entry.get("kty") != "RSA" or entry.get("alg", "RS256") != "RS256":
                return None
            try:
                return jwt.PyJWK(entry, algorithm="RS256").key
            except jwt.PyJWKError:
                return None
    return None


def tool_public_key(url: str, kid: str):
    """The tool's RSA public key with this kid, or None. Raises ToolKeysUnavailable when the
    JWKS cannot be fetched at all."""
    document = _cached("get", _cache_key(url, "doc"))
    if document is None:
        document = _fetch(url)
    key = _key_from(document, kid)
    if key is not None:
        return key
    # Unknown kid: the tool may have rotated. Refetch once, but not for every forged token.
    if not _cached("add", _cache_key(url, "refetch"), 1, REFETCH_PAUSE):
        return None
    return _key_from(_fetch(url), kid)

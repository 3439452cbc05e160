"""The tool's public keys, fetched from the registration's JWKS URL through core.outbound: one
fetch at a time across the app servers, with a short timeout; a failure remembered for a few
seconds; the last good key set used while the tool's cannot be had. A copy is used for
`CACHE_SECONDS`; a token naming a key the copy lacks (the tool rotated) brings one refetch, at
most once per `REFETCH_PAUSE` whatever tokens arrive, so forged kids cannot turn into a fetch
each — in the shared cache, or in each process while the shared cache is down."""

import jwt

from core import outbound

CACHE_SECONDS = 600
REFETCH_PAUSE = 10  # at most one refetch per this many seconds, whatever tokens arrive
MAX_JWKS_BYTES = 256 * 1024


class ToolKeysUnavailable(Exception):
    """The tool's JWKS cannot be fetched or read."""


def _fetch(url: str) -> dict:
    """One fetch of the tool's key set (raises outbound.OutboundUnavailable or ValueError)."""
    document = outbound.http_get_json(url, max_bytes=MAX_JWKS_BYTES)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the tool's JWKS has no keys")
    return document


def _key_set(url: str, *, refresh: bool = False) -> dict:
    try:
        return outbound.get_json(
            url,
            max_age=CACHE_SECONDS,
            fetch=_fetch,
            refresh=refresh,
            refresh_pause=REFETCH_PAUSE,
        )
    except outbound.OutboundUnavailable as error:
        raise ToolKeysUnavailable(f"The tool's JWKS cannot be fetched: {error}") from error


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
    JWKS cannot be had: neither fetched now nor kept from an earlier fetch."""
    key = _key_from(_key_set(url), kid)
    if key is not None:
        return key
    # Unknown kid: the tool may have rotated. Refetch, but not for every forged token.
    return _key_from(_key_set(url, refresh=True), kid)

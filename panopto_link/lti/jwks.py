"""JSON Web Keys of the platform's RSA signing keys (RFC 7517, RFC 7518 §6.3) and signing."""

import base64
from collections.abc import Iterable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

ALGORITHM = "RS256"


def _b64uint(value: int) -> str:
    length = (value.bit_length() + 7) // 8
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode("ascii")


def public_jwk(public_key: RSAPublicKey, *, kid: str) -> dict[str, str]:
    """The public half of a signing key as a JWK with every member LTI tools look for."""
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "alg": ALGORITHM,
        "use": "sig",
        "kid": kid,
        "n": _b64uint(numbers.n),
        "e": _b64uint(numbers.e),
    }


def key_set(keys: Iterable[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """A JWK Set document (RFC 7517 §5)."""
    return {"keys": list(keys)}


def sign(claims: dict[str, Any], *, private_key: RSAPrivateKey, kid: str) -> str:
    """An RS256 JWT with `kid` in its header. Takes a parsed key object, never a PEM: parsing
    costs tens of milliseconds and must not happen per launch."""
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})

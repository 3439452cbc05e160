"""The stand-in's own RSA key pair and the JWKS that publishes it. Its deep-linking responses
(issue 6) are signed with it, through pylti1p3, which names the key by its RFC 7638 thumbprint:
the published JWK is pylti1p3's own rendering of the public key, so the two always agree."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from pylti1p3.registration import Registration

from panopto_link.simulator.models import ToolKey


def tool_key() -> ToolKey:
    """The signing key, created on first need (one query once it exists)."""
    return ToolKey.objects.first() or _tool_key_create()


@transaction.atomic
def _tool_key_create() -> ToolKey:
    key = ToolKey.objects.select_for_update().first()
    if key is not None:
        return key  # another request created it a moment ago
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    jwk = dict(Registration.get_jwk(public_pem))
    return ToolKey.objects.create(
        kid=jwk["kid"], private_pem=private_pem, public_pem=public_pem, public_jwk=jwk
    )


def jwks_document() -> dict:
    """Every key of the stand-in, as a JWK Set (RFC 7517 §5)."""
    keys = list(ToolKey.objects.values_list("public_jwk", flat=True))
    if not keys:
        keys = [tool_key().public_jwk]
    return {"keys": keys}

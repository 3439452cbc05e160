"""Key pairs for signing SAML messages: the eduID service provider's (the demo's and the
tests', where the portal makes its own on first use, in .saml/, never committed; production
names the operator's files in SAML_KEY_FILE and SAML_CERT_FILE) and the stand-in identity
provider's."""

import datetime
import os
import shutil
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def make_key_pair(*, key_file: Path, cert_file: Path, common_name: str) -> None:
    """Write an RSA-3072 key and a self-signed certificate for it, valid ten years (SAML
    metadata carries the key itself: the certificate's dates and issuer are not checked by the
    other party). The key file is readable by its owner only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


KEY_NAME = "key.pem"
CERT_NAME = "cert.pem"


def ensure_key_folder(folder: Path, *, common_name: str) -> tuple[Path, Path]:
    """`folder`'s key and certificate (KEY_NAME, CERT_NAME), made unless the folder exists: the
    demo's and the tests' first sign-in. Made in a folder of its own and renamed into place, so
    that processes starting together (the tests' workers) all end with one matching pair."""
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        draft = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        make_key_pair(
            key_file=draft / KEY_NAME, cert_file=draft / CERT_NAME, common_name=common_name
        )
        try:
            draft.rename(folder)
        except OSError:  # another process made it first: use theirs
            shutil.rmtree(draft, ignore_errors=True)
    return folder / KEY_NAME, folder / CERT_NAME

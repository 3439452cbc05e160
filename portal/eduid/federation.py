"""Checks of the identity provider's or the federation's metadata before the portal trusts a
key in it (issue 26, item 2): its signature by the federation operator's certificate
(`SAML_IDP_METADATA_CERT`; HREF requires the aggregate's to be checked) covering the whole
document, and its `validUntil` (HREF's is seven days after signing). A document that fails is
never used nor kept: through core.outbound the last good copy stands in meanwhile."""

import datetime
import shutil
from typing import Any

from django.conf import settings
from lxml import etree  # type: ignore[import-untyped]
from saml2.sigver import CryptoBackendXmlSec1, SignatureError

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
ROOTS = {f"{{{MD}}}EntitiesDescriptor", f"{{{MD}}}EntityDescriptor"}
# No entities, no DTD, no network: metadata is data (docs/security.md, ASVS 5.5.2).
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True
)


def valid_until(text: str) -> datetime.datetime | None:
    """The document's validUntil, or None where it states none. Raises ValueError."""
    root = _root(text)
    value = root.get("validUntil")
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"validUntil is not a time: {value[:40]}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _root(text: str) -> Any:
    try:
        root = etree.fromstring(text.encode("utf-8"), PARSER)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"the metadata is not XML: {error}") from error
    if root.tag not in ROOTS:
        raise ValueError("the document is not SAML metadata")
    return root


def check_metadata(text: str) -> str:
    """`text`, after checking its validUntil and, where SAML_IDP_METADATA_CERT names the
    operator's certificate, its signature. Raises ValueError naming what failed."""
    root = _root(text)
    expires = valid_until(text)
    if expires is not None and expires <= datetime.datetime.now(datetime.UTC):
        raise ValueError(f"the metadata expired at {expires.isoformat()} (validUntil)")
    certificate = settings.SAML_IDP_METADATA_CERT
    if not certificate:
        return text
    signature = root.find(f"{{{DS}}}Signature")
    if signature is None:
        raise ValueError("the metadata is not signed")
    reference = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    root_id = root.get("ID")
    # The signature must cover the document itself, not some element inside it.
    if reference is None or reference.get("URI") not in {"", f"#{root_id}"}:
        raise ValueError("the metadata's signature does not cover the whole document")
    backend = CryptoBackendXmlSec1(shutil.which("xmlsec1") or "xmlsec1")
    node_name = f"{MD}:{etree.QName(root).localname}"
    try:
        verified = backend.validate_signature(text, certificate, "pem", node_name, root_id)
    except SignatureError as error:
        raise ValueError("the metadata's signature does not verify") from error
    if not verified:
        raise ValueError("the metadata's signature does not verify")
    return text

"""The service provider's pysaml2 configuration, built from the settings (SAML_*): djangosaml2
asks for it through `SAML_CONFIG_LOADER` on every SAML request.

What is checked of an answer is decided here, once: a signed assertion is required
(`want_assertions_signed`), an unsolicited answer is refused (so `InResponseTo` must name a
request this browser started), the audience must be our entity id and the recipient our
assertion consumer service, and `NotOnOrAfter`/`NotBefore` hold within `accepted_time_diff`.
The identity provider's metadata (and so the key its signatures are checked with) comes from
SAML_IDP_METADATA: a file, or a URL fetched through core.outbound — never by pysaml2 itself
in a request, with a short timeout, one fetch at a time and the last good copy kept.
"""

import hashlib
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from core import key_pairs as keys
from core import outbound
from portal.eduid import federation

# The name its fetches are counted under in the metrics (core.metrics).
METRICS_DOCUMENT = "saml_idp_metadata"
# A federation's aggregate is large (HREF's is several megabytes); one identity provider's
# metadata is a few kilobytes.
MAX_METADATA_BYTES = 64 * 1024 * 1024

# The attributes asked of the identity provider (their friendly names in pysaml2's maps), and
# what the portal keeps of each. eduPersonPrincipalName is the stable key (HREF: "must not be
# reassigned"); the Neptun code's attribute is the institute's own (SAML_NEPTUN_CODE_ATTRIBUTE).
PRINCIPAL_ATTRIBUTE = "eduPersonPrincipalName"
NAME_ATTRIBUTES = ("givenName", "sn", "displayName")
EMAIL_ATTRIBUTE = "mail"


class MetadataUnavailable(Exception):
    """The identity provider's metadata cannot be had now (and no good copy of it is kept)."""


def enabled() -> bool:
    """Whether sign-in with eduID is configured at all (SAML_IDP_METADATA is set)."""
    return bool(settings.SAML_IDP_METADATA)


def base_url() -> str:
    """The portal's public base URL, the LTI issuer: the service provider's addresses hang
    under it, as the identity provider knows them."""
    return settings.LTI_ISSUER.rstrip("/")


def entity_id() -> str:
    return settings.SAML_ENTITY_ID or base_url() + reverse("eduid:metadata")


def key_pair() -> tuple[Path, Path]:
    """The service provider's key and certificate files. Raises ImproperlyConfigured when
    they are neither configured nor to be made here."""
    if settings.SAML_KEY_FILE and settings.SAML_CERT_FILE:
        key_file, cert_file = Path(settings.SAML_KEY_FILE), Path(settings.SAML_CERT_FILE)
        for path in (key_file, cert_file):
            if not path.is_file():
                raise ImproperlyConfigured(f"The SAML key or certificate {path} does not exist.")
        return key_file, cert_file
    if settings.SAML_GENERATE_KEYS:
        return keys.ensure_key_folder(
            Path(settings.SAML_KEY_FOLDER), common_name=f"Neptun SP {base_url()}"
        )
    raise ImproperlyConfigured(
        "Sign-in with eduID needs the service provider's key pair: set SAML_KEY_FILE and "
        "SAML_CERT_FILE (docs/operations.md)."
    )


def _fetch_metadata(url: str) -> str:
    budget = outbound.timeout_seconds()
    try:
        with outbound._get(  # the module's one GET, with its timeouts
            url, budget=budget, accept="application/samlmetadata+xml, application/xml"
        ) as response:
            response.raise_for_status()
            content = outbound._read_body(response, budget=budget, max_bytes=MAX_METADATA_BYTES)
    except requests.RequestException as error:
        raise outbound.OutboundUnavailable(f"cannot be fetched: {error}") from error
    # Checked before it is kept: a document that fails stays out, the last good copy stands in.
    return federation.check_metadata(content.decode("utf-8", errors="strict"))


def idp_metadata() -> str:
    """The identity provider's (or the federation's) metadata as XML text. Raises
    MetadataUnavailable."""
    source = settings.SAML_IDP_METADATA
    if source.startswith(("https://", "http://")):
        if not settings.SAML_IDP_METADATA_CERT and not settings.SAML_ALLOW_UNSIGNED_METADATA:
            raise ImproperlyConfigured(
                "Metadata fetched from a URL must be checked: set SAML_IDP_METADATA_CERT to the "
                "federation operator's certificate (docs/operations.md)."
            )
        if not settings.SAML_IDP_METADATA_FETCH_IN_REQUEST:
            # Fetched by `manage.py eduid_metadata` on a schedule, never in a request.
            copy = outbound.kept_copy(source)
            if copy is None:
                raise MetadataUnavailable(
                    "no copy of the metadata is kept: run manage.py eduid_metadata"
                )
            return copy.document
        return fetch_metadata()
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise MetadataUnavailable(f"{source}: {error.strerror}") from error
    try:
        return federation.check_metadata(text)
    except ValueError as error:
        raise MetadataUnavailable(f"{source}: {error}") from error


def fetch_metadata(*, refresh: bool = False) -> str:
    """The metadata at the SAML_IDP_METADATA URL through core.outbound: the kept copy while it
    is younger than SAML_IDP_METADATA_MAX_AGE (or, with `refresh`, a new fetch), checked before
    it is kept, the last good copy when a fetch fails. Raises MetadataUnavailable."""
    try:
        return outbound.get_json(
            settings.SAML_IDP_METADATA,
            document=METRICS_DOCUMENT,
            max_age=settings.SAML_IDP_METADATA_MAX_AGE,
            fetch=_fetch_metadata,
            refresh=refresh,
            refresh_pause=1,
        )
    except outbound.OutboundUnavailable as error:
        raise MetadataUnavailable(str(error)) from error


def sp_settings(metadata: str) -> dict[str, Any]:
    """pysaml2's configuration of the service provider with this metadata."""
    key_file, cert_file = key_pair()
    acs = base_url() + reverse("eduid:acs")
    requested = [PRINCIPAL_ATTRIBUTE, *NAME_ATTRIBUTES, EMAIL_ATTRIBUTE]
    if settings.SAML_NEPTUN_CODE_ATTRIBUTE:
        requested.append(settings.SAML_NEPTUN_CODE_ATTRIBUTE)
    sp: dict[str, Any] = {
        "name": "Neptun",
        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
        "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
        "authn_requests_signed": True,
        "want_assertions_signed": True,
        "want_response_signed": False,
        "allow_unsolicited": False,
        "optional_attributes": requested,
    }
    if settings.SAML_IDP_ENTITY_ID:
        sp["idp"] = [settings.SAML_IDP_ENTITY_ID]
    config: dict[str, Any] = {
        "entityid": entity_id(),
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(key_file),
        "cert_file": str(cert_file),
        "encryption_keypairs": [{"key_file": str(key_file), "cert_file": str(cert_file)}],
        "metadata": {"inline": [metadata]} if metadata else {},
        "allow_unknown_attributes": True,
        # Seconds of clock difference tolerated on NotBefore/NotOnOrAfter.
        "accepted_time_diff": settings.SAML_CLOCK_SKEW_SECONDS,
        "service": {"sp": sp},
    }
    if settings.SAML_CONTACT_EMAIL:
        config["contact_person"] = [
            {"contact_type": "technical", "email_address": settings.SAML_CONTACT_EMAIL}
        ]
    return config


_configs: dict[str, SPConfig] = {}
_valid_until: dict[str, float] = {}


def _still_valid(digest: str, metadata: str) -> None:
    """A kept copy is used only until its validUntil (read once per version of it). Raises
    MetadataUnavailable."""
    if not metadata:
        return
    if digest not in _valid_until:
        try:
            expires = federation.valid_until(metadata)
        except ValueError as error:
            raise MetadataUnavailable(str(error)) from error
        _valid_until[digest] = expires.timestamp() if expires else float("inf")
    if time.time() >= _valid_until[digest]:
        raise MetadataUnavailable("the kept copy of the metadata has expired (validUntil)")


_configs_guard = threading.Lock()


def sp_config(request: HttpRequest | None = None, *, with_idp: bool = True) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the configuration for the metadata in force, parsed
    once per process for each version of it (a federation's aggregate takes seconds). Without
    `with_idp`, the service provider's own part only (its published metadata). Raises
    MetadataUnavailable."""
    if not enabled():
        raise ImproperlyConfigured("Sign-in with eduID is not configured (SAML_IDP_METADATA).")
    if shutil.which("xmlsec1") is None:
        raise ImproperlyConfigured("Sign-in with eduID needs the xmlsec1 program (make xmlsec).")
    metadata = idp_metadata() if with_idp else ""
    digest = hashlib.sha256(
        "\n".join((metadata, entity_id(), base_url(), repr(settings.SAML_IDP_ENTITY_ID))).encode()
    ).hexdigest()
    _still_valid(digest, metadata)
    with _configs_guard:
        config = _configs.get(digest)
        if config is None:
            config = SPConfig()
            config.load(sp_settings(metadata))
            if len(_configs) >= 4:
                _configs.clear()  # older versions of the metadata are not used again
            _configs[digest] = config
    return config


def forget_process_copies() -> None:
    """Forget the parsed configurations (tests that change the settings)."""
    with _configs_guard:
        _configs.clear()
        _valid_until.clear()


def default_binding() -> str:
    """The AuthnRequest goes by redirect: no auto-submitting form, so no inline script."""
    return BINDING_HTTP_REDIRECT

"""The eduID sign-in's deployment checks (`manage.py check --deploy`): a production portal with
eduID switched on (SAML_IDP_METADATA) but without what it needs is caught before the first
sign-in, not answered with an error page to the first person who tries."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def eduid_is_complete(app_configs, **kwargs) -> list[Error]:
    if not settings.SAML_IDP_METADATA:
        return []
    errors = []
    if shutil.which("xmlsec1") is None:
        errors.append(
            Error(
                "eduID sign-in needs the xmlsec1 program (Debian's xmlsec1), which checks SAML "
                "signatures.",
                hint="apt-get install xmlsec1 (make xmlsec).",
                id="portal.E101",
            )
        )
    if not settings.SAML_GENERATE_KEYS:
        for name in ("SAML_KEY_FILE", "SAML_CERT_FILE"):
            value = getattr(settings, name)
            if not value or not Path(value).is_file():
                errors.append(
                    Error(
                        f"{name} must name the service provider's PEM file ({value!r}).",
                        hint="docs/operations.md, 'Sign in with eduID', step 1.",
                        id="portal.E102",
                    )
                )
    source = settings.SAML_IDP_METADATA
    if source.startswith(("https://", "http://")):
        certificate = settings.SAML_IDP_METADATA_CERT
        if not settings.SAML_ALLOW_UNSIGNED_METADATA and not Path(certificate or "-").is_file():
            errors.append(
                Error(
                    "Metadata from a URL needs the federation operator's certificate: "
                    f"SAML_IDP_METADATA_CERT ({certificate!r}) is no file.",
                    hint="docs/operations.md, 'Sign in with eduID', step 2.",
                    id="portal.E103",
                )
            )
    elif not Path(source).is_file():
        errors.append(
            Error(
                f"SAML_IDP_METADATA ({source!r}) is neither a URL nor a file.",
                id="portal.E104",
            )
        )
    return errors

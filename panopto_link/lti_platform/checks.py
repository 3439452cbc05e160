"""The LTI platform's deployment checks (`manage.py check --deploy`), beside Django's: settings a
production deployment must not get wrong, caught before the first request."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def lti_issuer_is_https(app_configs, **kwargs) -> list[Error]:
    """The issuer is the portal's public base URL as Panopto has it (README "What needs
    HTTPS"): on plain http the id_token's cross-site form post and the session cookie travel
    in the clear, Secure cookies are not sent back, and the tool would trust a key set fetched
    over plain http."""
    issuer = settings.LTI_ISSUER
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return []
    return [
        Error(
            f"LTI_ISSUER must be the portal's public https:// address, not {issuer!r}.",
            hint="Set LTI_ISSUER to https://<the public host name>, exactly as Panopto has it.",
            # The id it had before the platform became an app of its own (issue 22): a
            # deployment that names it keeps working.
            id="portal.E001",
        )
    ]

"""Where and as whom the portal calls Panopto's APIs, from the registration's API settings."""

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from panopto_link.lti.origins import origin
from panopto_link.models import PanoptoRegistration
from panopto_link.panopto_api.auth import AuthenticationInfo
from panopto_link.panopto_api.secret import application_key_decrypt

PUBLIC_API_PATH = "/Panopto/PublicAPI/4.6/"
SESSION_MANAGEMENT_PATH = PUBLIC_API_PATH + "SessionManagement.svc"


@dataclass(frozen=True)
class ApiConnection:
    site_url: str  # Panopto's site URL, e.g. https://uni.hosted.panopto.com
    provider_name: str  # the identity provider's instance name
    username: str  # the API user, of that provider
    application_key: str

    def __repr__(self) -> str:  # never the key, in a traceback or a log line
        return f"ApiConnection({self.site_url!r}, {self.provider_name!r}, {self.username!r})"

    @property
    def host(self) -> str:
        """The server as the auth code names it: the site URL's host (and port, if any)."""
        return urlsplit(self.site_url).netloc

    @property
    def origin(self) -> str | None:
        """The site's origin as RFC 6454 compares it (`lti.origins`): `https://Uni.example:443`
        is `https://uni.example`. None for a site URL that is not http(s)."""
        return origin(self.site_url)

    @property
    def session_management_url(self) -> str:
        return self.service_url("SessionManagement")

    def service_url(self, service: str) -> str:
        """Where a service of the PublicAPI 4.6 is, e.g. `UserManagement`."""
        return self.site_url.rstrip("/") + PUBLIC_API_PATH + service + ".svc"

    def authentication(self) -> AuthenticationInfo:
        return AuthenticationInfo.for_user(
            provider_name=self.provider_name,
            username=self.username,
            host=self.host,
            application_key=self.application_key,
        )

    def acting_as(self, username: str) -> "ApiConnection":
        """The same connection calling as another user of the identity provider (the
        application key lets its holder act as any of them): `SyncExternalUser` is made as the
        user it syncs, as Panopto's Moodle block makes it."""
        return replace(self, username=username)


def api_connection(registration: PanoptoRegistration | None = None) -> ApiConnection | None:
    """The connection the registration's API settings describe; None without them (the portal
    then only launches) or without a site URL. Raises ImproperlyConfigured when the stored key
    cannot be decrypted."""
    registration = registration or PanoptoRegistration.load()
    if registration is None or not registration.has_api_settings or not registration.site_url:
        return None
    return ApiConnection(
        site_url=registration.site_url,
        provider_name=registration.api_provider_name,
        username=registration.api_user,
        application_key=application_key_decrypt(registration.api_key_encrypted),
    )

"""Where and as whom the portal calls Panopto's APIs, from the registration's API settings."""

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from panopto_link.lti.origins import origin
from panopto_link.models import PanoptoRegistration
from panopto_link.panopto_api.auth import AuthenticationInfo, user_key
from panopto_link.panopto_api.secret import application_key_decrypt, rest_client_secret_decrypt

PUBLIC_API_PATH = "/Panopto/PublicAPI/4.6/"
SESSION_MANAGEMENT_PATH = PUBLIC_API_PATH + "SessionManagement.svc"
# Panopto's REST API and its OAuth2 token endpoint (panopto-api-python-examples,
# `common/panopto_oauth2.py`, `folders-cli/panopto_folders.py`).
REST_API_PATH = "/Panopto/api/v1"
TOKEN_PATH = "/Panopto/oauth2/connect/token"  # noqa: S105 (a path)


@dataclass(frozen=True)
class ApiConnection:
    site_url: str  # Panopto's site URL, e.g. https://uni.hosted.panopto.com
    provider_name: str  # the identity provider's instance name
    username: str  # the API user, of that provider
    application_key: str
    # The REST API's OAuth2 client (both "" without it: SOAP alone).
    rest_client_id: str = ""
    rest_client_secret: str = ""

    def __repr__(self) -> str:  # never the key or the secret, in a traceback or a log line
        return f"ApiConnection({self.site_url!r}, {self.provider_name!r}, {self.username!r})"

    @property
    def has_rest(self) -> bool:
        return bool(self.rest_client_id and self.rest_client_secret)

    @property
    def user_key(self) -> str:
        return user_key(self.provider_name, self.username)

    @property
    def token_url(self) -> str:
        return self.site_url.rstrip("/") + TOKEN_PATH

    def rest_url(self, path: str) -> str:
        """The REST API's URL of `path` (e.g. `/folders/{id}`) on the Panopto site."""
        return self.site_url.rstrip("/") + REST_API_PATH + path

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
    (or the REST client's secret) cannot be decrypted."""
    registration = registration or PanoptoRegistration.load()
    if registration is None or not registration.has_api_settings or not registration.site_url:
        return None
    rest = registration.has_rest_settings
    return ApiConnection(
        site_url=registration.site_url,
        provider_name=registration.api_provider_name,
        username=registration.api_user,
        application_key=application_key_decrypt(registration.api_key_encrypted),
        rest_client_id=registration.api_rest_client_id if rest else "",
        rest_client_secret=(
            rest_client_secret_decrypt(registration.api_rest_secret_encrypted) if rest else ""
        ),
    )

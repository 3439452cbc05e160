"""Plain pylti1p3 (its Django integration) as the tool on the other side of our platform.

Deliberately *not* our stricter stand-in: this is the independent check that a launch made by
our platform is accepted by the library real tools are built on.
"""

from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client, RequestFactory
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.tool_config import ToolConfDict

ISSUER = "http://testserver"
CLIENT_ID = "panopto-client-1"
DEPLOYMENT_ID = "deployment-1"
TOOL_LOGIN_URL = "https://panopto.example.com/Panopto/oidc/login"
TOOL_LAUNCH_URL = "https://panopto.example.com/Panopto/LTI/LTI13.aspx"


def tool_conf(
    *,
    key_set: dict | None = None,
    key_set_url: str | None = None,
    issuer: str = ISSUER,
    auth_login_url: str | None = None,
) -> ToolConfDict:
    return ToolConfDict(
        {
            issuer: [
                {
                    "default": True,
                    "client_id": CLIENT_ID,
                    "auth_login_url": auth_login_url or issuer + "/lti/authorize/",
                    "auth_token_url": issuer + "/lti/token/",
                    "key_set_url": key_set_url,
                    "key_set": key_set,
                    "deployment_ids": [DEPLOYMENT_ID],
                }
            ]
        }
    )


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class ToolLogin:
    auth_url: str
    cookies: SimpleCookie

    @property
    def params(self) -> dict[str, str]:
        return query(self.auth_url)


class Pylti1p3Tool:
    def __init__(self, conf: ToolConfDict) -> None:
        self.conf = conf
        self.factory = RequestFactory()

    def _request(self, request):
        request.session = SessionStore()
        return request

    def login(self, login_params: dict[str, str]) -> ToolLogin:
        """Panopto's OIDC login: takes our initiation parameters, answers with the redirect
        to our authorization endpoint (and its state cookie)."""
        request = self._request(self.factory.get("/Panopto/oidc/login", login_params))
        oidc = DjangoOIDCLogin(request, self.conf, launch_data_storage=DjangoCacheDataStorage())
        # The tool answers on its own registered launch URL, whatever the target link.
        response = oidc.redirect(TOOL_LAUNCH_URL)
        return ToolLogin(auth_url=response["Location"], cookies=response.cookies)

    def launch(self, form: dict[str, str], cookies: SimpleCookie) -> DjangoMessageLaunch:
        """Panopto's launch endpoint: validates the posted id_token (raises on refusal)."""
        request = self._request(self.factory.post("/Panopto/LTI/LTI13.aspx", form))
        request.COOKIES = {name: morsel.value for name, morsel in cookies.items()}
        launch = DjangoMessageLaunch(
            request, self.conf, launch_data_storage=DjangoCacheDataStorage()
        )
        launch.get_launch_data()
        return launch


def form_fields(html: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of our auto-submitting form post page."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        action = ""
        fields: dict[str, str]

        def __init__(self) -> None:
            super().__init__()
            self.fields = {}

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "form" and attributes.get("id") == "lti-form-post":
                self.action = attributes.get("action", "")
            if tag == "input" and attributes.get("type") == "hidden":
                self.fields[attributes["name"]] = attributes.get("value", "")

    parser = Parser()
    parser.feed(html)
    return parser.action, parser.fields


@dataclass
class LaunchResult:
    initiation: object
    login: ToolLogin | None
    authorization: object | None
    action: str
    fields: dict[str, str]


def run_launch(
    client: Client, space_pk: int, *, folder: int | None = None, tool: Pylti1p3Tool
) -> LaunchResult:
    """Click the button, let the tool do its login, follow to our authorization endpoint."""
    data = {"folder": folder} if folder else {}
    initiation = client.post(f"/panopto/launch/{space_pk}/", data)
    assert initiation.status_code == 302, initiation.status_code
    login = tool.login(query(initiation["Location"]))
    authorization = client.get(login.auth_url)
    action, fields = form_fields(authorization.content.decode())
    return LaunchResult(initiation, login, authorization, action, fields)


def rsa_key_pair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as PEM strings (private, public)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def authorization_params(login: dict[str, str], *, nonce: str, state: str | None) -> dict:
    """What a tool sends to our authorization endpoint after the login initiation whose
    parameters are `login` (for tests that play the tool's part by hand, without pylti1p3)."""
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": login["client_id"],
        "redirect_uri": TOOL_LAUNCH_URL,
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "nonce": nonce,
    }
    if state is not None:
        params["state"] = state
    return params


def picker_data(*, space, user, client_id: str = CLIENT_ID, timestamp: int | None = None) -> str:
    """Our sealed `data` value of a picker launch by `user` into `space`'s own folder, as the
    authorization puts it into the deep-linking request (dated `timestamp` when given)."""
    from panopto_link.lti_platform.hints import DEEP_LINKING_DATA, DeepLinkingData

    data = DeepLinkingData(
        user_id=user.pk,
        client_id=client_id,
        request={"space": space.pk, "folder": space.pk},
        space_id=space.pk,
    )
    if timestamp is None:
        return DEEP_LINKING_DATA.encode(data)
    return DEEP_LINKING_DATA.encode_at(data, timestamp=timestamp)

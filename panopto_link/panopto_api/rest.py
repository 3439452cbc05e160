"""The client of Panopto's REST API v1 (`https://{site}/Panopto/api/v1/…`), as the identity
provider's API user: the OAuth2 token is had by the resource owner password grant of the
registered API client, its password derived from the identity provider's application key
(`auth.rest_password`; Panopto's panopto-api-python-examples, `auth-id-provider/sample.py` and
`common/panopto_oauth2.py`, which asks for the scopes `openid api` at
`/Panopto/oauth2/connect/token`).

oauthlib's `LegacyApplicationClient` (RFC 6749 §4.3) prepares the token request's body and
parses its answer; it makes no HTTP itself. Every byte travels through `core.outbound.http_call`
(the party `panopto_api`, as the SOAP client: short timeouts, a retry for a call without an
answer, one circuit breaker for both APIs). The client authenticates with HTTP Basic (RFC 6749
§2.3.1, what `requests_oauthlib`'s `fetch_token` sends for Panopto's samples).

The token is kept in the shared cache until a minute before it expires, so the jobs of every
host share one; it is never logged, never put in a page, and sent only to the Panopto site's own
origin (`lti.origins`). An API call answered 401 drops the kept token and is made once more with
a new one.

Raises `PanoptoApiUnavailable` when Panopto cannot be asked now and `PanoptoApiRefused` when it
refused (`TokenRefused` for the token request, with OAuth2's error code).
"""

import base64
import contextlib
import datetime
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from oauthlib.oauth2 import LegacyApplicationClient, OAuth2Error  # type: ignore[import-untyped]

from core import outbound, shared_cache
from panopto_link.lti.origins import origin
from panopto_link.panopto_api.auth import rest_password
from panopto_link.panopto_api.connection import ApiConnection
from panopto_link.panopto_api.errors import PanoptoApiRefused, PanoptoApiUnavailable

PARTY = "panopto_api"  # one breaker for Panopto's APIs, SOAP and REST (soap.PARTY)
SCOPES = ("openid", "api")  # `common/panopto_oauth2.py` DEFAULT_SCOPE
TOKEN_MARGIN_SECONDS = 60  # a kept token is dropped this long before it expires
# The listing of a folder's sessions, newest first (`folders-cli/panopto_folders.py`).
SESSIONS_QUERY = {"sortField": "CreatedDate", "sortOrder": "Desc", "pageNumber": "0"}


class TokenRefused(PanoptoApiRefused):
    """The token endpoint refused the grant: `error` is OAuth2's code (RFC 6749 §5.2), e.g.
    `invalid_client` (the client id or secret) or `invalid_grant` (user, application key)."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"the token request was refused: {error}")
        self.error = error
        self.description = description


@dataclass(frozen=True)
class RestFolder:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True)
class RestSession:
    id: str
    name: str
    start_time: datetime.datetime | None
    duration_seconds: float | None
    viewer_url: str  # the only URL a folder's listing carries (Panopto's OpenAPI)


# --- the token -------------------------------------------------------------------------------


def _token_key(connection: ApiConnection) -> str:
    who = "|".join((connection.token_url, connection.rest_client_id, connection.user_key))
    return "panopto:rest-token:" + hashlib.sha256(who.encode("utf-8")).hexdigest()


def _basic_credentials(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret each form-encoded, then joined as HTTP Basic."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _on_site(connection: ApiConnection, url: str) -> None:
    """Credentials go to the Panopto site's origin and nowhere else."""
    found = origin(url)
    if found is None or found != connection.origin:
        raise PanoptoApiRefused("the URL is not on the Panopto site")


def token_request(connection: ApiConnection) -> tuple[str, dict[str, str], bytes]:
    """The token request as it goes on the wire: (URL, headers, body). The body is oauthlib's
    (grant_type=password, username, password, scope)."""
    client = LegacyApplicationClient(client_id=connection.rest_client_id)
    body = client.prepare_request_body(
        username=connection.user_key,
        password=rest_password(connection.user_key, connection.application_key),
        scope=list(SCOPES),
    )
    headers = {
        "Authorization": _basic_credentials(
            connection.rest_client_id, connection.rest_client_secret
        ),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    return connection.token_url, headers, body.encode("ascii")


def fetch_token(connection: ApiConnection) -> str:
    """A new access token from the token endpoint, kept in the shared cache."""
    url, headers, body = token_request(connection)
    _on_site(connection, url)
    try:
        answer = outbound.http_call(
            "POST", url, party=PARTY, operation="token", body=body, headers=headers
        )
    except outbound.OutboundUnavailable as error:
        raise PanoptoApiUnavailable(f"token: {error}") from error
    if answer.status >= 500 or answer.status == 429:
        raise PanoptoApiUnavailable(f"token: HTTP {answer.status}")
    client = LegacyApplicationClient(client_id=connection.rest_client_id)
    try:
        token = client.parse_request_body_response(answer.content.decode("utf-8", "replace"))
    except OAuth2Error as error:
        if answer.status == 200 or error.error in ("missing_token", "missing_token_type"):
            raise PanoptoApiUnavailable(
                f"token: the answer cannot be read (HTTP {answer.status})"
            ) from error
        raise TokenRefused(error.error, error.description or "") from error
    except Warning as warning:  # the scope granted differs from the scope asked for
        token = getattr(warning, "token", None) or {}
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise PanoptoApiUnavailable("token: the answer has no access token")
    try:
        lifetime = float(token.get("expires_in") or 0) - TOKEN_MARGIN_SECONDS
    except (TypeError, ValueError):
        lifetime = 0
    if lifetime > 0:
        with contextlib.suppress(shared_cache.SharedCacheUnavailable):
            shared_cache.set(_token_key(connection), access_token, lifetime)
    return access_token


def _kept_token(connection: ApiConnection) -> str | None:
    try:
        kept = shared_cache.get(_token_key(connection))
    except shared_cache.SharedCacheUnavailable:
        return None
    return kept if isinstance(kept, str) and kept else None


def forget_token(connection: ApiConnection) -> None:
    with contextlib.suppress(shared_cache.SharedCacheUnavailable):
        shared_cache.delete(_token_key(connection))


# --- calls ------------------------------------------------------------------------------------


def _get(
    connection: ApiConnection, path: str, *, operation: str, query: dict[str, str] | None = None
) -> outbound.Answer:
    """GET `path` of the REST API with the Bearer token; a 401 drops the kept token and the
    call is made once more with a new one. Raises PanoptoApiUnavailable for no answer or a
    5xx/429, PanoptoApiRefused for 401 (twice) and 403."""
    if not connection.has_rest:
        raise PanoptoApiRefused("the REST API client is not configured")
    url = connection.rest_url(path) + (f"?{urlencode(query)}" if query else "")
    _on_site(connection, url)
    token = _kept_token(connection)
    for attempt in range(2):
        if token is None or attempt:
            forget_token(connection)
            token = fetch_token(connection)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            answer = outbound.http_call(
                "GET", url, party=PARTY, operation=operation, headers=headers
            )
        except outbound.OutboundUnavailable as error:
            raise PanoptoApiUnavailable(f"{operation}: {error}") from error
        if answer.status != 401:
            break
    if answer.status >= 500 or answer.status == 429:
        raise PanoptoApiUnavailable(f"{operation}: HTTP {answer.status}")
    if answer.status in (401, 403):
        forget_token(connection)
        raise PanoptoApiRefused(f"{operation}: HTTP {answer.status}")
    return answer


def _json(answer: outbound.Answer, operation: str) -> dict:
    try:
        document = json.loads(answer.content)
    except ValueError as error:
        raise PanoptoApiUnavailable(f"{operation}: the answer is not JSON") from error
    if not isinstance(document, dict):
        raise PanoptoApiUnavailable(f"{operation}: the answer is not a JSON object")
    return document


def _folder_path(folder_id: str, suffix: str = "") -> str:
    return f"/folders/{quote(folder_id, safe='')}{suffix}"


def folder(connection: ApiConnection, folder_id: str) -> RestFolder | None:
    """`GET /api/v1/folders/{id}`: the folder, or None when Panopto answers 404 (it has no
    folder of this id: deleted, or never there)."""
    answer = _get(connection, _folder_path(folder_id), operation="folder")
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise PanoptoApiRefused(f"folder: HTTP {answer.status}")
    found = _json(answer, "folder")
    parent = found.get("ParentFolder")
    return RestFolder(
        id=str(found.get("Id") or folder_id),
        name=str(found.get("Name") or ""),
        parent_id=str(parent.get("Id") or "") if isinstance(parent, dict) else "",
    )


def folder_sessions(connection: ApiConnection, folder_id: str, count: int) -> list[RestSession]:
    """`GET /api/v1/folders/{id}/sessions` sorted by CreatedDate, newest first: the first
    `count` of its first page ([] when Panopto has no such folder: 404)."""
    answer = _get(
        connection,
        _folder_path(folder_id, "/sessions"),
        operation="folder_sessions",
        query=SESSIONS_QUERY,
    )
    if answer.status == 404:
        return []
    if answer.status != 200:
        raise PanoptoApiRefused(f"folder_sessions: HTTP {answer.status}")
    results = _json(answer, "folder_sessions").get("Results") or []
    sessions = []
    for found in results[:count] if isinstance(results, list) else []:
        if not isinstance(found, dict):
            continue
        urls = found.get("Urls") if isinstance(found.get("Urls"), dict) else {}
        sessions.append(
            RestSession(
                id=str(found.get("Id") or ""),
                name=str(found.get("Name") or ""),
                start_time=_time(found.get("StartTime")),
                duration_seconds=_seconds(found.get("Duration")),
                viewer_url=str((urls or {}).get("ViewerUrl") or ""),
            )
        )
    return sessions


def _time(value) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _seconds(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None

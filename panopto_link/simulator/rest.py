"""The stand-in's side of Panopto's REST API v1 and its OAuth2 token endpoint: the password
grant of a registered API client, as the "ID provider integration" of Panopto's
panopto-api-python-examples (`auth-id-provider/sample.py`: the password is
base64(sha256(lower(user key) + "|" + lower(application key)))), answered as OAuth2
(RFC 6749 §5.1, §5.2) and IdentityServer, which serves Panopto's `/Panopto/oauth2/connect/token`,
answer: a wrong client → 401 `invalid_client`, a wrong user or password → 400 `invalid_grant`.
Then `GET /Panopto/api/v1/folders/{id}` (404 when there is no such folder) and
`/folders/{id}/sessions` (its sessions, only `ViewerUrl` among their URLs, as Panopto's OpenAPI
says of a folder's listing) with a Bearer token; none or an expired one → 401.

Written apart from the portal's client (panopto_link/panopto_api/rest.py) as the other party
would; it shares the stand-in's one store with its LTI and SOAP sides. Tokens are signed and
timestamped (django.core.signing), valid PANOPTO_SIM_REST_TOKEN_SECONDS (an hour, the lifetime
Panopto's sample README states).
"""

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django.conf import settings
from django.core import signing
from django.urls import reverse

from panopto_link.simulator.models import ApiClient, ApiProvider, Folder

TOKEN_SALT = "panopto_simulator.rest.token"  # noqa: S105 (a salt name)
GRANTABLE_SCOPES = frozenset({"openid", "api", "offline_access"})
PAGE_SIZE = 25


def token_seconds() -> int:
    return int(getattr(settings, "PANOPTO_SIM_REST_TOKEN_SECONDS", 3600))


@dataclass(frozen=True)
class Answer:
    status: int
    document: dict
    headers: Mapping[str, str]


def _error(status: int, error: str, description: str = "", **headers: str) -> Answer:
    document = {"error": error}
    if description:
        document["error_description"] = description
    return Answer(status, document, {"Cache-Control": "no-store", **headers})


def id_provider_password(user_key: str, application_key: str) -> str:
    digest = hashlib.sha256((user_key.lower() + "|" + application_key.lower()).encode()).digest()
    return base64.b64encode(digest).decode()


def _client_credentials(authorization: str, form: Mapping[str, str]) -> tuple[str, str]:
    """HTTP Basic (each part form-encoded, RFC 6749 §2.3.1), else the body's client_id and
    client_secret — IdentityServer accepts both."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError):
            return "", ""
        client_id, _, secret = pair.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def token(form: Mapping[str, str], *, authorization: str) -> Answer:
    """The token endpoint's answer to a POSTed form."""
    client_id, secret = _client_credentials(authorization, form)
    client = ApiClient.objects.filter(client_id=client_id).first() if client_id else None
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        return _error(401, "invalid_client")
    if form.get("grant_type") != "password":
        return _error(400, "unsupported_grant_type")
    scopes = form.get("scope", "").split()
    if not scopes or not set(scopes) <= GRANTABLE_SCOPES:
        return _error(400, "invalid_scope")
    username, password = form.get("username", ""), form.get("password", "")
    instance, separator, user = username.partition("\\")
    provider = ApiProvider.objects.filter(instance_name=instance).first() if separator else None
    expected = id_provider_password(username, provider.application_key) if provider else ""
    if not user or not expected or not hmac.compare_digest(expected.encode(), password.encode()):
        return _error(400, "invalid_grant", "invalid_username_or_password")
    access_token = signing.dumps({"sub": username, "client": client_id}, salt=TOKEN_SALT)
    return Answer(
        200,
        {
            "access_token": access_token,
            "expires_in": token_seconds(),
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        },
        {"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def bearer_user(authorization: str) -> str | None:
    """The user key a valid, unexpired Bearer token was issued for; None otherwise."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    try:
        claims = signing.loads(value.strip(), salt=TOKEN_SALT, max_age=token_seconds())
    except signing.BadSignature:  # SignatureExpired too
        return None
    return claims.get("sub") if isinstance(claims, dict) else None


UNAUTHORIZED = Answer(
    401, {"Message": "Authorization has been denied for this request."},
    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
)  # fmt: skip


def _folder(folder_id: str) -> Folder | None:
    try:
        public_id = uuid.UUID(folder_id)
    except ValueError:
        return None
    return Folder.objects.filter(public_id=public_id).first()


NOT_FOUND = Answer(404, {"Message": "The folder was not found."}, {})


def folder(folder_id: str, *, authorization: str, origin: str) -> Answer:
    """`GET /api/v1/folders/{id}` (the fields Panopto's `folders-cli/sample.py` reads)."""
    if bearer_user(authorization) is None:
        return UNAUTHORIZED
    found = _folder(folder_id)
    if found is None:
        return NOT_FOUND
    return Answer(
        200,
        {
            "Id": str(found.public_id),
            "Name": found.name,
            "Description": None,
            "ParentFolder": None,
            "Urls": {
                "FolderUrl": origin
                + reverse("panopto_simulator:folder", kwargs={"public_id": found.public_id})
            },
        },
        {},
    )


def folder_sessions(
    folder_id: str, query: Mapping[str, str], *, authorization: str, origin: str
) -> Answer:
    """`GET /api/v1/folders/{id}/sessions?sortField=&sortOrder=&pageNumber=`."""
    if bearer_user(authorization) is None:
        return UNAUTHORIZED
    found = _folder(folder_id)
    if found is None:
        return NOT_FOUND
    try:
        page = max(int(query.get("pageNumber") or 0), 0)
    except ValueError:
        page = 0
    descending = query.get("sortOrder", "Asc").lower() == "desc"
    if query.get("sortField") == "Name":
        recordings = sorted(found.recordings.all(), key=lambda r: r.title, reverse=descending)
    else:
        recordings = sorted(found.recordings.all(), key=lambda r: r.recorded_at, reverse=descending)
    shown = recordings[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    return Answer(
        200,
        {
            "Results": [
                {
                    "Id": str(recording.public_id),
                    "Name": recording.title,
                    "Description": recording.description,
                    "StartTime": recording.recorded_at.isoformat(),
                    "Duration": float(recording.duration_seconds),
                    "Folder": str(found.public_id),
                    "Urls": {
                        "ViewerUrl": origin
                        + reverse(
                            "panopto_simulator:viewer", kwargs={"public_id": recording.public_id}
                        )
                    },
                }
                for recording in shown
            ]
        },
        {},
    )

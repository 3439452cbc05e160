"""The SOAP client of Panopto's PublicAPI 4.6, with zeep: the transport, the client cache and the
error mapping its three services share (SessionManagement here; UserManagement in `users.py`,
AccessManagement in `access.py`), and SessionManagement's calls. The calls are built from the
WSDL the server itself serves, and every byte travels through `core.outbound` —
the WSDL (and any schema it imports) as a document kept for an hour and then a day while the
server fails, each call with short timeouts, retries with backoff and the circuit breaker of
the party `panopto_api`.

Raises `PanoptoApiUnavailable` when Panopto cannot be asked now (no answer, breaker open, a WSDL
that cannot be had) and `PanoptoApiRefused` when it answered with a SOAP fault (a wrong auth
code, an unknown folder): callers tell the two apart, since only the first is worth a retry.
"""

import datetime
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import zeep
import zeep.exceptions
from requests.structures import CaseInsensitiveDict

from core import outbound
from panopto_link.lti.origins import origin
from panopto_link.panopto_api.connection import ApiConnection

PARTY = "panopto_api"
WSDL_MAX_AGE_SECONDS = 60 * 60
WSDL_DOCUMENT = "panopto_wsdl"  # what the metrics count its fetches under
# Panopto's own plugins ask for recordings in these states (Moodle block `get_session_list`).
LISTED_STATES = ("Broadcasting", "Complete", "Recording")
ROLES_PROVISIONED = ("Viewer", "Creator", "Publisher")  # as the Moodle block provisions


class PanoptoApiUnavailable(Exception):
    """Panopto's API cannot be asked now: try again later."""


class PanoptoApiRefused(Exception):
    """Panopto answered with a SOAP fault: the call is wrong as made (auth code, arguments)."""


@dataclass(frozen=True)
class ApiFolder:
    id: str
    name: str
    external_id: str


@dataclass(frozen=True)
class ApiSession:
    id: str
    name: str
    start_time: datetime.datetime | None
    duration_seconds: float | None
    thumb_url: str
    viewer_url: str


class _Answer:
    """What zeep reads of an HTTP answer (`status_code`, `content`, `headers`, `encoding`)."""

    def __init__(self, answer: outbound.Answer) -> None:
        self.status_code = answer.status
        self.content = answer.content
        self.headers = CaseInsensitiveDict(answer.headers)
        self.encoding = None


class OutboundTransport(zeep.Transport):
    """zeep's transport, through core.outbound. Documents are loaded only from the Panopto
    site's own origin, over http(s): a WSDL cannot make the portal read a local file or another
    host."""

    def __init__(self, site_origin: str | None) -> None:
        super().__init__(cache=None)
        self.origin = site_origin

    def on_site(self, url: str) -> bool:
        """Whether `url` is on the Panopto site: its origin as RFC 6454 compares it (any case,
        the default port or none), and http(s) only."""
        found = origin(url)
        return found is not None and found == self.origin

    def load(self, url: str) -> bytes:
        if not self.on_site(url):
            raise PanoptoApiUnavailable("the WSDL refers to a document outside the Panopto site")
        try:
            return outbound.get_json(
                url, document=WSDL_DOCUMENT, max_age=WSDL_MAX_AGE_SECONDS, fetch=_fetch_document
            )
        except outbound.OutboundUnavailable as error:
            raise PanoptoApiUnavailable(f"the WSDL cannot be had: {error}") from error

    def post(self, address: str, message, headers: dict) -> _Answer:
        action = str(headers.get("SOAPAction", "")).strip('"').rsplit("/", 1)[-1]
        try:
            answer = outbound.http_call(
                "POST",
                address,
                party=PARTY,
                operation=action or "unknown",
                body=message,
                headers=dict(headers),
            )
        except outbound.OutboundUnavailable as error:
            raise PanoptoApiUnavailable(str(error)) from error
        return _Answer(answer)


def _fetch_document(url: str) -> bytes:
    answer = outbound.http_call("GET", url, party=PARTY, operation="wsdl")
    if answer.status != 200:
        raise outbound.OutboundUnavailable(f"HTTP {answer.status}")
    return answer.content


# One zeep client per WSDL URL and process, rebuilt when the WSDL copy is older than an hour
# (parsing the WSDL costs more than a call).
_clients: dict[str, tuple[float, zeep.Client]] = {}
_clients_lock = threading.Lock()


def forget_clients() -> None:
    with _clients_lock:
        _clients.clear()


@dataclass(frozen=True)
class Service:
    """A service of the PublicAPI 4.6: its name (`{name}.svc`) and its WSDL's port,
    `BasicHttpBinding_I{name}` as Panopto's WSDLs name it (uw-panopto-client)."""

    name: str

    @property
    def binding(self) -> str:
        return f"{{http://tempuri.org/}}BasicHttpBinding_I{self.name}"


SESSION_MANAGEMENT = Service("SessionManagement")
USER_MANAGEMENT = Service("UserManagement")
ACCESS_MANAGEMENT = Service("AccessManagement")


def _client(connection: ApiConnection, service: Service) -> zeep.Client:
    url = connection.service_url(service.name) + "?wsdl"
    with _clients_lock:
        kept = _clients.get(url)
    if kept is not None and time.monotonic() - kept[0] < WSDL_MAX_AGE_SECONDS:
        return kept[1]
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    try:
        client = zeep.Client(url, transport=OutboundTransport(connection.origin), settings=settings)
    except PanoptoApiUnavailable:
        raise
    except (zeep.exceptions.Error, ValueError) as error:
        raise PanoptoApiUnavailable(f"the WSDL cannot be read: {error}") from error
    with _clients_lock:
        _clients[url] = (time.monotonic(), client)
    return client


def call(connection: ApiConnection, service: Service, operation: str, **arguments):
    """`operation` of `service`, as the connection's user, through core.outbound. Raises
    PanoptoApiUnavailable (worth a retry) or PanoptoApiRefused (a SOAP fault)."""
    client = _client(connection, service)
    try:
        proxy = client.create_service(service.binding, connection.service_url(service.name))
        method = getattr(proxy, operation)
    except (AttributeError, ValueError, zeep.exceptions.Error) as error:
        # A WSDL without this port or operation: the call cannot be made as written.
        raise PanoptoApiRefused(f"{operation}: the WSDL does not offer it ({error})") from error
    try:
        return method(auth=connection.authentication().as_soap(), **arguments)
    except zeep.exceptions.Fault as fault:
        raise PanoptoApiRefused(f"{operation}: {fault.message}") from fault
    except zeep.exceptions.TransportError as error:
        raise PanoptoApiUnavailable(f"{operation}: HTTP {error.status_code}") from error
    except (zeep.exceptions.Error, ValueError) as error:
        raise PanoptoApiUnavailable(f"{operation}: the answer cannot be read ({error})") from error


def _call(connection: ApiConnection, operation: str, **arguments):
    return call(connection, SESSION_MANAGEMENT, operation, **arguments)


def items(array, element: str) -> list:
    """The members of an ArrayOf… value: zeep gives the array itself as a list when it is an
    operation's whole result, and as an object with one list attribute when nested."""
    if array is None:
        return []
    if isinstance(array, list):
        return [item for item in array if item is not None]
    return [item for item in (getattr(array, element, None) or []) if item is not None]


def _folder(found) -> ApiFolder:
    return ApiFolder(id=str(found.Id), name=found.Name or "", external_id=found.ExternalId or "")


def folders_by_external_id(
    connection: ApiConnection, external_ids: Sequence[str]
) -> dict[str, ApiFolder]:
    """`SessionManagement.GetAllFoldersByExternalId(auth, folderExternalIds, providerNames)`:
    the folders Panopto has under these external ids of the connection's identity provider,
    by external id (those it lacks are absent)."""
    result = _call(
        connection,
        "GetAllFoldersByExternalId",
        folderExternalIds={"string": list(external_ids)},
        providerNames={"string": [connection.provider_name]},
    )
    folders = [_folder(found) for found in items(result, "Folder")]
    return {folder.external_id: folder for folder in folders}


def provision_course(connection: ApiConnection, *, name: str, external_id: str) -> ApiFolder:
    """`SessionManagement.ProvisionExternalCourseWithRoles(auth, name, externalId, roles)`: the
    folder of `external_id`, created if Panopto has none (idempotent in Panopto)."""
    result = _call(
        connection,
        "ProvisionExternalCourseWithRoles",
        name=name,
        externalId=external_id,
        roles={"AccessRole": list(ROLES_PROVISIONED)},
    )
    if result is None:
        raise PanoptoApiRefused("ProvisionExternalCourseWithRoles: no folder in the answer")
    return _folder(result)


def newest_sessions(connection: ApiConnection, *, folder_id: str, count: int) -> list[ApiSession]:
    """`SessionManagement.GetSessionsList(auth, request, searchQuery)`: the folder's `count`
    newest recordings, newest first."""
    result = _call(
        connection,
        "GetSessionsList",
        request={
            "FolderId": folder_id,
            "Pagination": {"MaxNumberResults": count, "PageNumber": 0},
            "SortBy": "Date",
            "SortIncreasing": False,
            "States": {"SessionState": list(LISTED_STATES)},
        },
        searchQuery=None,
    )
    sessions = items(result.Results, "Session") if result is not None else []
    return [
        ApiSession(
            id=str(session.Id),
            name=session.Name or "",
            start_time=session.StartTime,
            duration_seconds=session.Duration,
            thumb_url=session.ThumbUrl or "",
            viewer_url=session.ViewerUrl or "",
        )
        for session in sessions
    ]

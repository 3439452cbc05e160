"""The stand-in's side of Panopto's SOAP PublicAPI 4.6 (SessionManagement): the operations the
portal calls, with Panopto's names, namespaces and parameter names, and Panopto's auth-code
rule. Written apart from the portal's client (panopto_link/panopto_api/) as the other party
would: tests/panopto_link/panopto_api/test_contract.py holds both to Panopto's public clients.

It can be made slow (PANOPTO_SIM_API_DELAY_SECONDS) or down (PANOPTO_SIM_API_DOWN: 503) for
the fault tests and the demo.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.templatetags.static import static
from django.urls import reverse
from lxml import etree  # type: ignore[import-untyped]

from panopto_link.simulator.models import ApiProvider, Folder, Recording
from panopto_link.simulator.services import folder_provision

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
PANOPTO = "http://schemas.datacontract.org/2004/07/Panopto.Server.Services.PublicAPI.V40"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACTION_PREFIX = "http://tempuri.org/ISessionManagement/"
THUMBNAIL = "panopto_simulator/thumbnail.svg"

# Requests are parsed without entities, DTDs or network access: a SOAP body is data.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class SoapFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # "s:Client" or "s:Server"
        self.message = message


def expected_auth_code(user_key: str, server: str, application_key: str) -> str:
    """Panopto's rule: upper(sha1(UserKey + "@" + server + "|" + application key)), the server
    being the host name the caller addressed."""
    text = user_key + "@" + server + "|" + application_key
    return hashlib.sha1(text.encode("utf-8")).hexdigest().upper()  # noqa: S324


@dataclass(frozen=True)
class Caller:
    provider: ApiProvider
    username: str


def _text(element, path: str) -> str:
    found = element.find(path, {"t": TEMPURI, "p": PANOPTO, "a": ARRAYS})
    return (found.text or "").strip() if found is not None else ""


def _texts(element, path: str) -> list[str]:
    return [
        (found.text or "").strip()
        for found in element.findall(path, {"t": TEMPURI, "p": PANOPTO, "a": ARRAYS})
    ]


def authenticate(operation, *, server: str) -> Caller:
    """The caller named by `auth`, whose AuthCode must be the one its provider's key gives."""
    user_key = _text(operation, "t:auth/p:UserKey")
    code = _text(operation, "t:auth/p:AuthCode")
    instance, separator, username = user_key.partition("\\")
    provider = ApiProvider.objects.filter(instance_name=instance).first() if separator else None
    if provider is None or not username or not code:
        raise SoapFault("s:Client", "Unable to authenticate: unknown user key.")
    expected = expected_auth_code(user_key, server, provider.application_key)
    if not hmac.compare_digest(code.upper().encode(), expected.encode()):
        raise SoapFault("s:Client", "Unable to authenticate: the auth code is not valid.")
    return Caller(provider=provider, username=username)


# --- the answers ----------------------------------------------------------------------------


def _e(namespace: str, name: str, text: str | None = None, **attributes):
    element = etree.Element(f"{{{namespace}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def _folder_xml(folder: Folder, name: str = "Folder"):
    element = _e(PANOPTO, name)
    for field, value in (
        ("Description", ""),
        ("Id", str(folder.public_id)),
        ("Name", folder.name),
        ("ParentFolder", None),
        ("ExternalId", folder.context_id),
    ):
        child = _e(PANOPTO, field, value)
        if value is None:
            child.set(f"{{{XSI}}}nil", "true")
        element.append(child)
    return element


def _get_all_folders_by_external_id(operation, caller: Caller, origin: str):
    external_ids = _texts(operation, "t:folderExternalIds/a:string")
    providers = _texts(operation, "t:providerNames/a:string")
    result = _e(TEMPURI, "GetAllFoldersByExternalIdResult")
    if caller.provider.instance_name in providers:
        found = {f.context_id: f for f in Folder.objects.filter(context_id__in=external_ids)}
        for external_id in external_ids:
            if external_id in found:
                result.append(_folder_xml(found[external_id]))
    return result


def _provision_with_roles(operation, caller: Caller, origin: str):
    external_id = _text(operation, "t:externalId")
    name = _text(operation, "t:name")
    if not external_id:
        raise SoapFault("s:Client", "externalId is required.")
    folder, _created = folder_provision(external_id=external_id, name=name or external_id)
    result = _e(TEMPURI, "ProvisionExternalCourseWithRolesResult")
    for child in _folder_xml(folder):
        result.append(child)
    return result


def _get_sessions_list(operation, caller: Caller, origin: str):
    folder_id = _text(operation, "t:request/p:FolderId")
    size = int(_text(operation, "t:request/p:Pagination/p:MaxNumberResults") or 25)
    page = int(_text(operation, "t:request/p:Pagination/p:PageNumber") or 0)
    increasing = _text(operation, "t:request/p:SortIncreasing") == "true"
    folder = (
        Folder.objects.filter(public_id=folder_id)
        .prefetch_related(Prefetch("recordings", queryset=Recording.objects.all()))
        .first()
        if _is_uuid(folder_id)
        else None
    )
    if folder is None:
        raise SoapFault("s:Client", "The folder does not exist.")
    recordings = sorted(
        folder.recordings.all(), key=lambda r: r.recorded_at, reverse=not increasing
    )
    shown = recordings[page * size : (page + 1) * size]
    response = _e(TEMPURI, "GetSessionsListResult")
    results = _e(PANOPTO, "Results")
    for recording in shown:
        session = _e(PANOPTO, "Session")
        for field, value in (
            ("Description", recording.description),
            ("Duration", f"{float(recording.duration_seconds):g}"),
            ("FolderId", str(folder.public_id)),
            ("FolderName", folder.name),
            ("Id", str(recording.public_id)),
            ("Name", recording.title),
            ("StartTime", recording.recorded_at.isoformat()),
            ("State", "Complete"),
            ("ThumbUrl", origin + static(THUMBNAIL)),
            (
                "ViewerUrl",
                origin
                + reverse("panopto_simulator:viewer", kwargs={"public_id": recording.public_id}),
            ),
        ):
            session.append(_e(PANOPTO, field, value))
        results.append(session)
    response.append(results)
    response.append(_e(PANOPTO, "TotalNumberResults", str(len(recordings))))
    return response


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


OPERATIONS: dict[str, Callable] = {
    "GetAllFoldersByExternalId": _get_all_folders_by_external_id,
    "ProvisionExternalCourseWithRoles": _provision_with_roles,
    "GetSessionsList": _get_sessions_list,
}


def _envelope(content) -> bytes:
    envelope = _e(SOAP_ENV, "Envelope")
    body = _e(SOAP_ENV, "Body")
    body.append(content)
    envelope.append(body)
    return etree.tostring(envelope, xml_declaration=False, encoding="utf-8")


def fault_xml(fault: SoapFault) -> bytes:
    content = _e(SOAP_ENV, "Fault")
    content.append(etree.Element("faultcode"))
    content[0].text = fault.code
    string = etree.SubElement(content, "faultstring")
    string.text = fault.message
    return _envelope(content)


def answer(body: bytes, *, soap_action: str, server: str, origin: str) -> tuple[int, bytes]:
    """The HTTP status and SOAP envelope answering `body`: 200 with the operation's response,
    or 500 with a fault (SOAP 1.1 §6.2), as WCF answers."""
    try:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as error:
            raise SoapFault("s:Client", "The request is not XML.") from error
        operation = root.find(f"{{{SOAP_ENV}}}Body/*")
        if operation is None or not operation.tag.startswith(f"{{{TEMPURI}}}"):
            raise SoapFault("s:Client", "The request has no operation.")
        name = operation.tag.split("}", 1)[1]
        handler = OPERATIONS.get(name)
        if handler is None or soap_action.strip('"') != ACTION_PREFIX + name:
            raise SoapFault("s:Client", "The operation is not known or its action differs.")
        caller = authenticate(operation, server=server)
        result = handler(operation, caller, origin)
        response = _e(TEMPURI, f"{name}Response")
        response.append(result)
        return 200, _envelope(response)
    except SoapFault as fault:
        return 500, fault_xml(fault)

"""The stand-in's side of Panopto's SOAP PublicAPI 4.6 (SessionManagement, UserManagement,
AccessManagement): the operations the portal calls, with Panopto's names, namespaces and
parameter names, and Panopto's auth-code rule, over one store shared with its LTI side.
Written apart from the portal's client (panopto_link/panopto_api/) as the other party would:
tests/panopto_link/panopto_api/test_contract.py holds both to Panopto's public clients.

It can be made slow (PANOPTO_SIM_API_DELAY_SECONDS) or down (PANOPTO_SIM_API_DOWN: 503) for
the fault tests and the demo, and made to refuse named operations to an authenticated caller
(PANOPTO_SIM_API_REFUSED: a SOAP fault, as Panopto refuses a user without the rights).
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.templatetags.static import static
from django.urls import reverse
from lxml import etree  # type: ignore[import-untyped]

from panopto_link.simulator.models import (
    ApiProvider,
    ExternalGroup,
    Folder,
    FolderAccess,
    FolderRole,
    Recording,
    ToolUser,
)
from panopto_link.simulator.services import (
    folder_provision,
    folder_users_grant,
    folder_users_revoke,
    group_remove_members,
    user_sync_external,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
PANOPTO = "http://schemas.datacontract.org/2004/07/Panopto.Server.Services.PublicAPI.V40"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL_GUID = "00000000-0000-0000-0000-000000000000"
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
    roles = tuple(_texts(operation, "t:roles/p:AccessRole"))
    folder, _created = folder_provision(
        external_id=external_id,
        name=name or external_id,
        provider_name=caller.provider.instance_name,
        roles=roles,
    )
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


# --- UserManagement ---------------------------------------------------------------------------


def _nil(element):
    element.set(f"{{{XSI}}}nil", "true")
    return element


def _guids(parent_namespace: str, name: str, values) -> object:
    array = _e(parent_namespace, name)
    for value in values:
        array.append(_e(ARRAYS, "guid", str(value)))
    return array


def _user_xml(
    user: ToolUser | None, provider_name: str, name: str = "User", namespace: str = PANOPTO
):
    """Panopto's `User` data contract; an unknown user is one whose UserId is the empty GUID
    (the stand-in's reading: what Panopto answers for a key it does not know is [U])."""
    element = _e(namespace, name)
    groups = list(user.external_groups.all()) if user else []
    for field, value in (
        ("Email", user.email if user else None),
        ("EmailSessionNotifications", "false"),
        ("FirstName", user.first_name if user else None),
        ("GroupMemberships", None),
        ("LastName", user.last_name if user else None),
        ("SystemRole", "None"),
        ("UserBio", None),
        ("UserId", str(user.public_id) if user else NIL_GUID),
        ("UserKey", f"{provider_name}\\{user.username}" if user else None),
        ("UserSettingsUrl", None),
    ):
        if field == "GroupMemberships":
            element.append(_guids(PANOPTO, field, [group.public_id for group in groups]))
            continue
        child = _e(PANOPTO, field, value)
        element.append(_nil(child) if value is None else child)
    return element


def _user_of_key(user_key: str) -> tuple[ToolUser | None, str]:
    """The user a UserKey "{instance}\\{username}" names, of a provider the stand-in knows."""
    instance, separator, username = user_key.partition("\\")
    if not separator or not ApiProvider.objects.filter(instance_name=instance).exists():
        return None, instance
    user = (
        ToolUser.objects.filter(username=username)
        .exclude(username="")
        .prefetch_related("external_groups")
        .order_by("pk")
        .first()
    )
    return user, instance


def _get_user_by_key(operation, caller: Caller, origin: str):
    user, instance = _user_of_key(_text(operation, "t:userKey"))
    return _user_xml(user, instance or caller.provider.instance_name, "GetUserByKeyResult", TEMPURI)


def _get_users(operation, caller: Caller, origin: str):
    ids = [value for value in _texts(operation, "t:userIds/a:guid") if _is_uuid(value)]
    users = {
        str(user.public_id): user
        for user in ToolUser.objects.filter(public_id__in=ids).prefetch_related("external_groups")
    }
    result = _e(TEMPURI, "GetUsersResult")
    for user_id in ids:
        if user_id in users:
            result.append(_user_xml(users[user_id], caller.provider.instance_name))
    return result


def _group_of(operation) -> ExternalGroup:
    group_id = _text(operation, "t:groupId")
    group = ExternalGroup.objects.filter(public_id=group_id).first() if _is_uuid(group_id) else None
    if group is None:
        raise SoapFault("s:Client", "The group does not exist.")
    return group


def _get_group(operation, caller: Caller, origin: str):
    group = _group_of(operation)
    result = _e(TEMPURI, "GetGroupResult")
    for field, value in (
        ("ExternalId", group.external_id),
        ("GroupType", "External"),
        ("Id", str(group.public_id)),
        ("MembershipProviderName", group.provider_name),
        ("Name", group.name),
        ("SystemRole", "None"),
    ):
        result.append(_e(PANOPTO, field, value))
    return result


def _get_users_in_group(operation, caller: Caller, origin: str):
    group = _group_of(operation)
    return _guids(
        TEMPURI, "GetUsersInGroupResult", group.members.values_list("public_id", flat=True)
    )


def _sync_external_user(operation, caller: Caller, origin: str):
    user_sync_external(
        provider_name=caller.provider.instance_name,
        username=caller.username,
        first_name=_text(operation, "t:firstName"),
        last_name=_text(operation, "t:lastName"),
        email=_text(operation, "t:email"),
        external_group_ids=_texts(operation, "t:externalGroupIds/a:string"),
    )
    return None


def _remove_members_from_external_group(operation, caller: Caller, origin: str):
    found = group_remove_members(
        provider_name=_text(operation, "t:externalProviderName"),
        external_id=_text(operation, "t:externalGroupId"),
        user_ids=[v for v in _texts(operation, "t:memberIds/a:guid") if _is_uuid(v)],
    )
    if not found:
        raise SoapFault("s:Client", "The external group does not exist.")
    return None


# --- AccessManagement -------------------------------------------------------------------------

# AccessRole as Panopto names it → the stand-in's role (a publisher's access is a creator's).
ACCESS_ROLES = {
    "Viewer": FolderRole.VIEWER,
    "Creator": FolderRole.CREATOR,
    "Publisher": FolderRole.CREATOR,
}


def _folder_of(operation) -> Folder:
    folder_id = _text(operation, "t:folderId")
    folder = Folder.objects.filter(public_id=folder_id).first() if _is_uuid(folder_id) else None
    if folder is None:
        raise SoapFault("s:Client", "The folder does not exist.")
    return folder


def _role_of(operation) -> str:
    role = ACCESS_ROLES.get(_text(operation, "t:role"))
    if role is None:
        raise SoapFault("s:Client", "The role is not an AccessRole.")
    return role


def _get_folder_access_details(operation, caller: Caller, origin: str):
    folder = _folder_of(operation)
    users = {role: [] for role in FolderRole}  # type: dict[str, list]
    for user_id, role in FolderAccess.objects.filter(folder=folder).values_list(
        "user__public_id", "role"
    ):
        users[role].append(user_id)
    groups = {role: [] for role in FolderRole}  # type: dict[str, list]
    for group_id, role in folder.groups.values_list("public_id", "role"):
        groups[role].append(group_id)
    result = _e(TEMPURI, "GetFolderAccessDetailsResult")
    result.append(_e(PANOPTO, "FolderId", str(folder.public_id)))
    result.append(_guids(PANOPTO, "GroupsWithCreatorAccess", groups[FolderRole.CREATOR]))
    result.append(_guids(PANOPTO, "GroupsWithViewerAccess", groups[FolderRole.VIEWER]))
    result.append(_e(PANOPTO, "IsPublic", "false"))
    result.append(_guids(PANOPTO, "UsersWithCreatorAccess", users[FolderRole.CREATOR]))
    result.append(_guids(PANOPTO, "UsersWithViewerAccess", users[FolderRole.VIEWER]))
    return result


def _user_ids(operation) -> list[str]:
    return [value for value in _texts(operation, "t:userIds/a:guid") if _is_uuid(value)]


def _grant_users_access_to_folder(operation, caller: Caller, origin: str):
    folder_users_grant(
        folder=_folder_of(operation), user_ids=_user_ids(operation), role=_role_of(operation)
    )
    return None


def _revoke_users_access_from_folder(operation, caller: Caller, origin: str):
    folder_users_revoke(
        folder=_folder_of(operation), user_ids=_user_ids(operation), role=_role_of(operation)
    )
    return None


@dataclass(frozen=True)
class Service:
    """One .svc of the PublicAPI: its SOAP action prefix and the operations it answers."""

    name: str
    operations: dict[str, Callable]

    @property
    def action_prefix(self) -> str:
        return f"http://tempuri.org/I{self.name}/"


SERVICES = {
    service.name: service
    for service in (
        Service(
            "SessionManagement",
            {
                "GetAllFoldersByExternalId": _get_all_folders_by_external_id,
                "ProvisionExternalCourseWithRoles": _provision_with_roles,
                "GetSessionsList": _get_sessions_list,
            },
        ),
        Service(
            "UserManagement",
            {
                "GetUserByKey": _get_user_by_key,
                "GetUsers": _get_users,
                "GetGroup": _get_group,
                "GetUsersInGroup": _get_users_in_group,
                "SyncExternalUser": _sync_external_user,
                "RemoveMembersFromExternalGroup": _remove_members_from_external_group,
            },
        ),
        Service(
            "AccessManagement",
            {
                "GetFolderAccessDetails": _get_folder_access_details,
                "GrantUsersAccessToFolder": _grant_users_access_to_folder,
                "RevokeUsersAccessFromFolder": _revoke_users_access_from_folder,
            },
        ),
    )
}
# SessionManagement's, as before the other services came.
OPERATIONS: dict[str, Callable] = SERVICES["SessionManagement"].operations


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


def answer(
    body: bytes,
    *,
    soap_action: str,
    server: str,
    origin: str,
    service: str = "SessionManagement",
) -> tuple[int, bytes]:
    """The HTTP status and SOAP envelope answering `body` sent to `service`: 200 with the
    operation's response, or 500 with a fault (SOAP 1.1 §6.2), as WCF answers."""
    served = SERVICES[service]
    try:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as error:
            raise SoapFault("s:Client", "The request is not XML.") from error
        operation = root.find(f"{{{SOAP_ENV}}}Body/*")
        if operation is None or not operation.tag.startswith(f"{{{TEMPURI}}}"):
            raise SoapFault("s:Client", "The request has no operation.")
        name = operation.tag.split("}", 1)[1]
        handler = served.operations.get(name)
        if handler is None or soap_action.strip('"') != served.action_prefix + name:
            raise SoapFault("s:Client", "The operation is not known or its action differs.")
        caller = authenticate(operation, server=server)
        if name in getattr(settings, "PANOPTO_SIM_API_REFUSED", ()):
            raise SoapFault("s:Client", f"Access denied: {caller.username} may not call {name}.")
        result = handler(operation, caller, origin)
        response = _e(TEMPURI, f"{name}Response")
        if result is not None:  # an operation without a result answers an empty response
            response.append(result)
        return 200, _envelope(response)
    except SoapFault as fault:
        return 500, fault_xml(fault)

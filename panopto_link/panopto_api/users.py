"""Panopto's PublicAPI 4.6 UserManagement service: the users and external groups the portal
reads and sets (docs/panopto-api.md names the sources of every name; the transport, the client
cache and the error mapping are `soap.py`'s)."""

from collections.abc import Sequence
from dataclasses import dataclass

from panopto_link.panopto_api import soap
from panopto_link.panopto_api.auth import user_key
from panopto_link.panopto_api.connection import ApiConnection

# What a GUID field holds when there is nothing: WCF's Guid.Empty.
NIL_GUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class ApiUser:
    id: str
    key: str  # "{instance}\{username}"
    group_ids: tuple[str, ...]

    def username(self, provider_name: str) -> str:
        """The username without the instance prefix when the user is of `provider_name`;
        the whole key otherwise (a user of another identity provider, or an internal one)."""
        instance, separator, name = self.key.partition("\\")
        return name if separator and instance == provider_name else self.key


@dataclass(frozen=True)
class ApiGroup:
    id: str
    name: str
    external_id: str  # "" for an internal group
    provider_name: str  # MembershipProviderName, "" for an internal group


def _guid(value) -> str:
    text = str(value or "")
    return "" if text in ("", NIL_GUID) else text


def _user(found) -> ApiUser | None:
    if found is None or not _guid(found.UserId):
        return None
    groups = soap.items(found.GroupMemberships, "guid")
    return ApiUser(
        id=_guid(found.UserId),
        key=found.UserKey or "",
        group_ids=tuple(str(group) for group in groups),
    )


def user_by_key(connection: ApiConnection, *, username: str) -> ApiUser | None:
    """`UserManagement.GetUserByKey(auth, userKey)`: the user `username` of the connection's
    identity provider, or None when Panopto has no such user (no result, or an empty
    UserId)."""
    found = soap.call(
        connection,
        soap.USER_MANAGEMENT,
        "GetUserByKey",
        userKey=user_key(connection.provider_name, username),
    )
    return _user(found)


def users_by_id(connection: ApiConnection, user_ids: Sequence[str]) -> list[ApiUser]:
    """`UserManagement.GetUsers(auth, userIds)`: the users of these ids that Panopto has."""
    if not user_ids:
        return []
    result = soap.call(
        connection, soap.USER_MANAGEMENT, "GetUsers", userIds={"guid": list(user_ids)}
    )
    return [user for user in (_user(found) for found in soap.items(result, "User")) if user]


def group(connection: ApiConnection, *, group_id: str) -> ApiGroup:
    """`UserManagement.GetGroup(auth, groupId)`."""
    found = soap.call(connection, soap.USER_MANAGEMENT, "GetGroup", groupId=group_id)
    if found is None:
        raise soap.PanoptoApiRefused("GetGroup: no group in the answer")
    return ApiGroup(
        id=str(found.Id),
        name=found.Name or "",
        external_id=found.ExternalId or "",
        provider_name=found.MembershipProviderName or "",
    )


def group_member_ids(connection: ApiConnection, *, group_id: str) -> list[str]:
    """`UserManagement.GetUsersInGroup(auth, groupId)`: the members' user ids."""
    result = soap.call(connection, soap.USER_MANAGEMENT, "GetUsersInGroup", groupId=group_id)
    return [str(member) for member in soap.items(result, "guid")]


def sync_external_user(
    connection: ApiConnection,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    external_group_ids: Sequence[str],
) -> None:
    """`UserManagement.SyncExternalUser(auth, firstName, lastName, email,
    EmailSessionNotifications, externalGroupIds)`, called **as the user** (Panopto's Moodle
    block, `panopto_data::sync_external_user`): creates or updates the user `username` of the
    identity provider and **replaces** their external group list with `external_group_ids`
    — pass every group the portal gives them, never just one."""
    soap.call(
        connection.acting_as(username),
        soap.USER_MANAGEMENT,
        "SyncExternalUser",
        firstName=first_name,
        lastName=last_name,
        email=email,
        EmailSessionNotifications=False,
        externalGroupIds={"string": list(external_group_ids)},
    )


def remove_from_external_group(
    connection: ApiConnection,
    *,
    provider_name: str,
    external_group_id: str,
    user_ids: Sequence[str],
) -> None:
    """`UserManagement.RemoveMembersFromExternalGroup(auth, externalProviderName,
    externalGroupId, memberIds)`."""
    soap.call(
        connection,
        soap.USER_MANAGEMENT,
        "RemoveMembersFromExternalGroup",
        externalProviderName=provider_name,
        externalGroupId=external_group_id,
        memberIds={"guid": list(user_ids)},
    )

"""Taking access to a folder back in Panopto, and reading who has it (issue 24; the calls and
why: docs/decisions/0019-taking-access-back-in-panopto.md).

A person reaches a Panopto folder in two ways the PublicAPI shows
(`AccessManagement.GetFolderAccessDetails`): a **user-level grant** (Viewer or Creator), which
the ILIAS plugin and uw-panopto-client make and take back with `GrantUsersAccessToFolder` /
`RevokeUsersAccessFromFolder`, and **membership of a group** with access, which for the
external groups the portal provisions (`{externalId}_viewers|_creators|_publishers`) the Moodle
block sets with `SyncExternalUser` and takes back with `RemoveMembersFromExternalGroup`.
`revoke_folder_access` takes back both; groups the portal does not manage (internal groups,
another identity provider's) are reported, never touched.

Every call goes through `soap.call`, so through core.outbound; the functions raise
`soap.PanoptoApiUnavailable` (try again later) and `soap.PanoptoApiRefused` (a SOAP fault).
"""

from dataclasses import dataclass
from enum import Enum

from panopto_link.panopto_api import soap, users
from panopto_link.panopto_api.connection import ApiConnection

# The roles a user-level grant can have, as FolderAccessDetails lists them.
VIEWER = "Viewer"
CREATOR = "Creator"
PUBLISHER = "Publisher"  # an AccessRole of its own; Panopto's answer lists it apart when held


class How(Enum):
    USER = "user"  # a user-level grant
    GROUP = "group"  # membership of a group with access


@dataclass(frozen=True)
class FolderAccessDetails:
    """`AccessManagement.GetFolderAccessDetails`: the ids with access, by role."""

    folder_id: str
    users: dict[str, tuple[str, ...]]  # role → user ids
    groups: dict[str, tuple[str, ...]]  # role → group ids
    is_public: bool
    # `UsersWithPublisherAccess`: in PublicAPI 4.6's FolderAccessDetails (php-panopto-api, the
    # ILIAS plugin read it); an answer without it (the stand-in's) lists publishers as creators.
    publishers: tuple[str, ...] = ()


def folder_access_details(connection: ApiConnection, *, folder_id: str) -> FolderAccessDetails:
    """`AccessManagement.GetFolderAccessDetails(auth, folderId)`."""
    found = soap.call(
        connection, soap.ACCESS_MANAGEMENT, "GetFolderAccessDetails", folderId=folder_id
    )
    if found is None:
        raise soap.PanoptoApiRefused("GetFolderAccessDetails: no details in the answer")

    def ids(array) -> tuple[str, ...]:
        return tuple(str(value) for value in soap.items(array, "guid"))

    return FolderAccessDetails(
        folder_id=folder_id,
        users={
            CREATOR: ids(found.UsersWithCreatorAccess),
            VIEWER: ids(found.UsersWithViewerAccess),
        },
        groups={
            CREATOR: ids(found.GroupsWithCreatorAccess),
            VIEWER: ids(found.GroupsWithViewerAccess),
        },
        is_public=bool(found.IsPublic),
        publishers=ids(getattr(found, "UsersWithPublisherAccess", None)),
    )


def grant_users_access(
    connection: ApiConnection, *, folder_id: str, user_ids: list[str], role: str
) -> None:
    """`AccessManagement.GrantUsersAccessToFolder(auth, folderId, userIds, role)`."""
    soap.call(
        connection,
        soap.ACCESS_MANAGEMENT,
        "GrantUsersAccessToFolder",
        folderId=folder_id,
        userIds={"guid": user_ids},
        role=role,
    )


def revoke_users_access(
    connection: ApiConnection, *, folder_id: str, user_ids: list[str], role: str
) -> None:
    """`AccessManagement.RevokeUsersAccessFromFolder(auth, folderId, userIds, role)`."""
    soap.call(
        connection,
        soap.ACCESS_MANAGEMENT,
        "RevokeUsersAccessFromFolder",
        folderId=folder_id,
        userIds={"guid": user_ids},
        role=role,
    )


@dataclass(frozen=True)
class RevokeResult:
    """What `revoke_folder_access` took back. Nothing taken and `user_exists` False: Panopto
    has never seen the person; nothing taken and True: they had nothing to take (a second call
    finds this)."""

    username: str
    folder_id: str
    user_exists: bool
    roles: tuple[str, ...] = ()  # user-level grants taken back, by role
    groups: tuple[str, ...] = ()  # external ids of the portal's groups they were taken out of
    # Groups with access to the folder that the user is still in and the portal does not
    # manage (an internal group, another identity provider's): named for IT, never touched.
    kept_groups: tuple[str, ...] = ()
    # A public folder stays open to everyone whatever is taken: said, so that IT is not misled.
    folder_is_public: bool = False
    # Only the Creator part taken back and nothing else let them view the folder: a Viewer grant
    # was given in its place (`revoke_creator_access`).
    viewer_granted: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.roles or self.groups)


def revoke_folder_access(
    connection: ApiConnection, *, folder_id: str, username: str
) -> RevokeResult:
    """Take back every role `username` (of the connection's identity provider, without the
    instance prefix) has on the folder: their user-level grants
    (`RevokeUsersAccessFromFolder`, per role) and their membership of the portal's external
    groups with access to it (`RemoveMembersFromExternalGroup`). Idempotent: a second call
    finds nothing and says so. The person's access through other folders' groups is left, as
    is their Panopto account."""
    return _revoke(connection, folder_id=folder_id, username=username, creator_only=False)


def revoke_creator_access(
    connection: ApiConnection, *, folder_id: str, username: str
) -> RevokeResult:
    """Take back only what makes `username` a Creator of the folder (an administrator made a
    member): their user-level Creator and Publisher grants (`RevokeUsersAccessFromFolder` with
    that role) and their membership of the portal's external groups with Creator access (the
    folder's `_creators` and `_publishers`). A Viewer grant and the `_viewers` group are kept;
    when neither is held, a Viewer grant (`GrantUsersAccessToFolder`) replaces what was taken,
    so the person still enters as the member they are — a Creator's grant is their only grant
    where a launch gave it, and a provisioned administrator's access is the `_creators` group.
    Idempotent, as `revoke_folder_access`."""
    return _revoke(connection, folder_id=folder_id, username=username, creator_only=True)


def _revoke(
    connection: ApiConnection, *, folder_id: str, username: str, creator_only: bool
) -> RevokeResult:
    user = users.user_by_key(connection, username=username)
    if user is None:
        return RevokeResult(username=username, folder_id=folder_id, user_exists=False)
    details = folder_access_details(connection, folder_id=folder_id)
    held = {**details.users, PUBLISHER: details.publishers}
    wanted = (CREATOR, PUBLISHER) if creator_only else tuple(held)
    roles = tuple(role for role in wanted if user.id in held[role])
    for role in roles:
        revoke_users_access(connection, folder_id=folder_id, user_ids=[user.id], role=role)
    member_of = set(user.group_ids)
    taken: list[str] = []
    kept: list[str] = []
    with_access = [CREATOR] if creator_only else list(details.groups)
    group_ids = dict.fromkeys(gid for role in with_access for gid in details.groups[role])
    for group_id in group_ids:
        if group_id not in member_of:
            continue
        found = users.group(connection, group_id=group_id)
        if found.external_id and found.provider_name == connection.provider_name:
            users.remove_from_external_group(
                connection,
                provider_name=found.provider_name,
                external_group_id=found.external_id,
                user_ids=[user.id],
            )
            taken.append(found.external_id)
        else:
            kept.append(found.external_id or found.name)
    viewer_granted = False
    if creator_only and (roles or taken):
        views = user.id in held[VIEWER] or any(gid in member_of for gid in details.groups[VIEWER])
        if not views:
            grant_users_access(connection, folder_id=folder_id, user_ids=[user.id], role=VIEWER)
            viewer_granted = True
    return RevokeResult(
        username=username,
        folder_id=folder_id,
        user_exists=True,
        roles=roles,
        groups=tuple(sorted(taken)),
        kept_groups=tuple(sorted(kept)),
        folder_is_public=details.is_public,
        viewer_granted=viewer_granted,
    )


@dataclass(frozen=True)
class AccessEntry:
    """One way one person reaches the folder."""

    username: str  # without the instance prefix for the portal's provider; else the whole key
    role: str  # "Creator", "Publisher" or "Viewer"
    how: How
    group: str = ""  # the group's external id (or name, for an internal group) when how=GROUP


@dataclass(frozen=True)
class FolderAccess:
    folder_id: str
    entries: tuple[AccessEntry, ...]
    is_public: bool

    def usernames(self) -> set[str]:
        return {entry.username for entry in self.entries}


def folder_access(connection: ApiConnection, *, folder_id: str) -> FolderAccess:
    """Who has access to the folder, and how: `GetFolderAccessDetails`, the members of each
    group with access (`GetGroup`, `GetUsersInGroup`), then everyone's keys in one
    `GetUsers`. What the nightly reconcile compares with the portal's rules."""
    details = folder_access_details(connection, folder_id=folder_id)
    raw: list[tuple[str, str, How, str]] = []  # (user id, role, how, group)
    for role, ids in {**details.users, PUBLISHER: details.publishers}.items():
        raw.extend((user_id, role, How.USER, "") for user_id in ids)
    for role, ids in details.groups.items():
        for group_id in ids:
            found = users.group(connection, group_id=group_id)
            label = found.external_id or found.name
            for member in users.group_member_ids(connection, group_id=group_id):
                raw.append((member, role, How.GROUP, label))
    known = users.users_by_id(connection, list(dict.fromkeys(user_id for user_id, *_ in raw)))
    names = {user.id: user.username(connection.provider_name) for user in known}
    entries = sorted(
        {
            AccessEntry(username=names[user_id], role=role, how=how, group=group)
            for user_id, role, how, group in raw
            if user_id in names
        },
        key=lambda entry: (entry.username, entry.role, entry.how.value, entry.group),
    )
    return FolderAccess(folder_id=folder_id, entries=tuple(entries), is_public=details.is_public)

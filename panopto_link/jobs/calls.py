"""The calls of Panopto's API the jobs make, in one place (`panopto_api/access.py`,
docs/decisions/0019): taking a person's access to a folder back — their user-level grants
(`AccessManagement.RevokeUsersAccessFromFolder`) and their membership of the portal's external
groups (`UserManagement.RemoveMembersFromExternalGroup`), after `UserManagement.GetUserByKey`
—, or only its Creator part (an administrator made a member), and reading who has access to a
folder (`AccessManagement.GetFolderAccessDetails` and the groups' members). All go through
`core.outbound` and raise `soap.PanoptoApiUnavailable` (try again later) or
`soap.PanoptoApiRefused` (the call is wrong as made)."""

from panopto_link.panopto_api import access
from panopto_link.panopto_api.connection import ApiConnection


def revoke_folder_access(
    connection: ApiConnection, *, folder_id: str, username: str
) -> access.RevokeResult:
    """Take the user's access to the folder back (idempotent in Panopto)."""
    return access.revoke_folder_access(connection, folder_id=folder_id, username=username)


def revoke_creator_access(
    connection: ApiConnection, *, folder_id: str, username: str
) -> access.RevokeResult:
    """Take back only the user's Creator role on the folder (idempotent in Panopto)."""
    return access.revoke_creator_access(connection, folder_id=folder_id, username=username)


def folder_access(connection: ApiConnection, *, folder_id: str) -> access.FolderAccess:
    """Who has access to the folder in Panopto (usernames without the provider's prefix)."""
    return access.folder_access(connection, folder_id=folder_id)

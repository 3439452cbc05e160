"""The two calls of Panopto's API the jobs make, in one place: taking a person's access to a
folder back, and reading who has access to a folder. They are Panopto's
`AccessManagement.RevokeUsersAccessFromFolder` (after `UserManagement.GetUserByKey`) and
`AccessManagement.GetFolderAccessDetails`, made by `panopto_link.panopto_api.access` through
`core.outbound` (docs/panopto-api.md). Both raise `soap.PanoptoApiUnavailable` (try again
later) or `soap.PanoptoApiRefused` (the call is wrong as made)."""

import importlib
from types import ModuleType
from typing import Any

from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import ApiConnection

ACCESS_MODULE = "panopto_link.panopto_api.access"


def _access() -> ModuleType:
    """The module of the access calls. While a portal runs without it (a deployment between
    the two halves of issue 24), a job cannot reach Panopto: it waits and is retried, as while
    Panopto is down, and nothing is lost."""
    try:
        return importlib.import_module(ACCESS_MODULE)
    except ModuleNotFoundError as error:
        if error.name != ACCESS_MODULE:
            raise
        raise soap.PanoptoApiUnavailable(
            "the portal has no access calls of Panopto's API yet (panopto_api/access.py)"
        ) from error


def revoke_folder_access(connection: ApiConnection, *, folder_id: str, username: str) -> Any:
    """Take the user's access to the folder back (idempotent in Panopto)."""
    return _access().revoke_folder_access(connection, folder_id=folder_id, username=username)


def folder_access(connection: ApiConnection, *, folder_id: str) -> Any:
    """Who has access to the folder in Panopto (usernames without the provider's prefix)."""
    return _access().folder_access(connection, folder_id=folder_id)

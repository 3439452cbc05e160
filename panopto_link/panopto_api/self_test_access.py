"""The self-test's check of the API user's rights for taking access back (issue 24; decision
0019): the revocation jobs and the nightly reconciliation look a person up in UserManagement
(`GetUserByKey`) and read a folder's access in AccessManagement (`GetFolderAccessDetails`)
before they change anything. The check makes those two calls, read-only: the API user itself
by its key, and the access of one folder Panopto is known to have — the newest confirmed folder,
else the launched folder the mapping check has just found. The calls that change access
(`RevokeUsersAccessFromFolder`, `RemoveMembersFromExternalGroup`) are never tried here.

Like the other API checks, split so that the calls run in the self-test's thread pool:
`access_check_call` (HTTP only, after the mapping's lookup in the same thread) and
`access_check_result` (words).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panopto_link.lti_platform.api import CheckResult, Status
from panopto_link.panopto_api import access, soap, users
from panopto_link.panopto_api.self_test import ApiCheckOutcome, ApiCheckPlan

KEY = "api_access"


@dataclass(frozen=True)
class AccessCheckOutcome:
    asked: bool = False  # False: the credentials check failed, or there is no connection
    user_found: bool = False  # GetUserByKey answered with a user for the API user's key
    user_id: str = ""
    folder_id: str = ""  # whose access was read ("" when no folder is known in Panopto)
    folder_space: str = ""
    entries: int = 0  # users and groups with access to that folder
    failed_call: str = ""  # the operation that was refused or not answered
    unavailable: str = ""
    refused: str = ""


def access_check_call(plan: ApiCheckPlan, mapping: ApiCheckOutcome) -> AccessCheckOutcome:
    """GetUserByKey for the API user, then GetFolderAccessDetails of the newest confirmed
    folder (else the one the mapping check found). HTTP only, no database."""
    connection = plan.connection
    if connection is None or mapping.unavailable or mapping.refused:
        return AccessCheckOutcome()
    folder_id, space = plan.confirmed_folder_id, plan.confirmed_folder_space
    if not folder_id and mapping.found is not None:
        folder_id, space = mapping.found.id, plan.folder_space
    call = "GetUserByKey"
    try:
        user = users.user_by_key(connection, username=connection.username)
        if not folder_id:
            return _outcome(user, folder_id="", space="", entries=0)
        call = "GetFolderAccessDetails"
        details = access.folder_access_details(connection, folder_id=folder_id)
    except soap.PanoptoApiUnavailable as error:
        return AccessCheckOutcome(asked=True, failed_call=call, unavailable=str(error))
    except soap.PanoptoApiRefused as error:
        return AccessCheckOutcome(asked=True, failed_call=call, refused=str(error))
    entries = sum(len(ids) for ids in (*details.users.values(), *details.groups.values()))
    entries += len(details.publishers)
    return _outcome(user, folder_id=folder_id, space=space, entries=entries)


def _outcome(
    user: users.ApiUser | None, *, folder_id: str, space: str, entries: int
) -> AccessCheckOutcome:
    return AccessCheckOutcome(
        asked=True,
        user_found=user is not None,
        user_id=user.id if user else "",
        folder_id=folder_id,
        folder_space=space,
        entries=entries,
    )


def access_check_result(plan: ApiCheckPlan, outcome: AccessCheckOutcome) -> CheckResult:
    title = _("Panopto's API: reading users and folder access (what taking access back needs)")
    if plan.connection is None and not plan.problem:
        return CheckResult(
            KEY,
            title,
            Status.PASS,
            _("Not configured: the portal uses only LTI launches (the API is optional)."),
        )
    if not outcome.asked:
        return CheckResult(
            KEY,
            title,
            Status.WARN,
            _("Not checked: the API could not be asked."),
            _("Fix the check above first."),
        )
    user_key = plan.connection.user_key if plan.connection else ""
    if outcome.refused:
        return CheckResult(
            KEY,
            title,
            Status.FAIL,
            _("Panopto refused %(call)s to %(user)s: %(error)s.")
            % {"call": outcome.failed_call, "user": user_key, "error": outcome.refused},
            _(
                "Give the API user an administrator's role in Panopto (System → Users): taking "
                "a person's access back when a membership ends or a role changes, and the "
                "nightly reconciliation, read users and folder access with it. Until this "
                "passes, Panopto keeps the access the portal takes back."
            ),
        )
    if outcome.unavailable:
        return CheckResult(
            KEY,
            title,
            Status.FAIL,
            _("%(call)s could not be asked: %(error)s.")
            % {"call": outcome.failed_call, "error": outcome.unavailable},
            _(
                "Check that this server reaches Panopto (proxy, firewall, certificate); the "
                "access jobs are retried until Panopto answers."
            ),
        )
    if outcome.user_found:
        user = _("Panopto found the API user %(user)s (%(id)s)") % {
            "user": user_key,
            "id": outcome.user_id,
        }
    else:
        user = _(
            "Panopto answered GetUserByKey for the API user %(user)s (it has no such user)"
        ) % {"user": user_key}
    if not outcome.folder_id:
        return CheckResult(
            KEY,
            title,
            Status.WARN,
            _("%(user)s, but no folder is known in Panopto yet whose access could be read.")
            % {"user": user},
            _(
                "Run the self-test again after a lecturer has opened a space's Panopto folder "
                "(or after manage.py panopto_provision)."
            ),
        )
    read = ngettext(
        "%(user)s and read the access of the folder of %(space)s (%(count)d grant or group); "
        "the calls that take access back were not tried.",
        "%(user)s and read the access of the folder of %(space)s (%(count)d grants and "
        "groups); the calls that take access back were not tried.",
        outcome.entries,
    ) % {"user": user, "space": outcome.folder_space, "count": outcome.entries}
    return CheckResult(KEY, title, Status.PASS, read)

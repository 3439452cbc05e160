"""The self-test's checks of Panopto's API (SPEC §7): the credentials (one authenticated call)
and the mapping of an LTI folder to its external id (`mapping.folder_external_id`), proved or
disproved on the site itself.

Split in three so that the call can run in the self-test's thread pool beside the probes while
the database is read in the asking thread: `api_check_plan` (reads), `api_check_call` (HTTP
only), `api_check_results` (words).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from panopto_link.lti_platform.api import CheckResult, Status
from panopto_link.models import FolderState, PanoptoFolder, PanoptoRegistration
from panopto_link.panopto_api import soap
from panopto_link.panopto_api.connection import ApiConnection, api_connection
from panopto_link.panopto_api.mapping import folder_external_id

# Asked for when no folder has been launched yet: any id proves the credentials.
PROBE_EXTERNAL_ID = "neptun-portal-self-test"


@dataclass(frozen=True)
class ApiCheckPlan:
    connection: ApiConnection | None
    problem: str  # why there is no connection although settings exist
    folder_space: str  # the space code of the launched folder looked up, or ""
    external_id: str  # what is asked for


@dataclass(frozen=True)
class ApiCheckOutcome:
    found: soap.ApiFolder | None = None
    unavailable: str = ""
    refused: str = ""


def api_check_plan(registration: PanoptoRegistration | None) -> ApiCheckPlan:
    """What the API checks ask: the newest folder a launch created (as its external id)."""
    try:
        connection = api_connection(registration)
    except ImproperlyConfigured as error:
        return ApiCheckPlan(None, str(error), "", "")
    if connection is None:
        return ApiCheckPlan(None, "", "", "")
    folder = (
        PanoptoFolder.objects.filter(state=FolderState.CREATED)
        .select_related("space")
        .order_by("-created_at", "-pk")
        .first()
    )
    if folder is None:
        return ApiCheckPlan(connection, "", "", PROBE_EXTERNAL_ID)
    return ApiCheckPlan(connection, "", folder.space.code, folder_external_id(folder.context_id))


def api_check_call(plan: ApiCheckPlan) -> ApiCheckOutcome:
    """The one authenticated call: GetAllFoldersByExternalId. HTTP only, no database."""
    if plan.connection is None:
        return ApiCheckOutcome()
    try:
        found = soap.folders_by_external_id(plan.connection, [plan.external_id])
    except soap.PanoptoApiUnavailable as error:
        return ApiCheckOutcome(unavailable=str(error))
    except soap.PanoptoApiRefused as error:
        return ApiCheckOutcome(refused=str(error))
    return ApiCheckOutcome(found=found.get(plan.external_id))


def api_check_results(
    plan: ApiCheckPlan, outcome: ApiCheckOutcome
) -> tuple[CheckResult, CheckResult]:
    credentials_title = _("Panopto's API: the credentials")
    mapping_title = _("Panopto's API: a launched folder under its external id")
    if plan.connection is None:
        if plan.problem:
            failed = CheckResult(
                "api_credentials",
                credentials_title,
                Status.FAIL,
                _("The stored application key cannot be decrypted."),
                _(
                    "Enter the application key again in the registration's admin page, or set "
                    "LTI_KEY_ENCRYPTION_KEY to the key it was stored with."
                ),
            )
            return failed, _not_asked(mapping_title)
        off = _("Not configured: the portal uses only LTI launches (the API is optional).")
        return (
            CheckResult("api_credentials", credentials_title, Status.PASS, off),
            CheckResult("api_mapping", mapping_title, Status.PASS, off),
        )
    url = plan.connection.session_management_url
    if outcome.unavailable:
        return (
            CheckResult(
                "api_credentials",
                credentials_title,
                Status.FAIL,
                _("%(url)s could not be asked: %(error)s.")
                % {"url": url, "error": outcome.unavailable},
                _(
                    "Check the Panopto site URL and that this server reaches Panopto (proxy, "
                    "firewall, certificate); the portal keeps working without the API."
                ),
            ),
            _not_asked(mapping_title),
        )
    if outcome.refused:
        return (
            CheckResult(
                "api_credentials",
                credentials_title,
                Status.FAIL,
                _("Panopto refused the call: %(error)s.") % {"error": outcome.refused},
                _(
                    "Check the identity provider's instance name, its application key and the "
                    "API user against Panopto's identity provider page (System → Identity "
                    "Providers)."
                ),
            ),
            _not_asked(mapping_title),
        )
    credentials = CheckResult(
        "api_credentials",
        credentials_title,
        Status.PASS,
        _("Panopto answered an authenticated call as %(user)s.")
        % {"user": plan.connection.authentication().UserKey},
    )
    if not plan.folder_space:
        return credentials, CheckResult(
            "api_mapping",
            mapping_title,
            Status.WARN,
            _("No folder has been created by a launch yet, so the mapping cannot be proved."),
            _("Run the self-test again after a lecturer has opened a space's Panopto folder."),
        )
    if outcome.found is None:
        return credentials, CheckResult(
            "api_mapping",
            mapping_title,
            Status.WARN,
            _(
                "The folder of %(space)s, created by a launch, was not found under the external "
                "id %(external_id)s of the identity provider %(provider)s."
            )
            % {
                "space": plan.folder_space,
                "external_id": plan.external_id,
                "provider": plan.connection.provider_name,
            },
            _(
                "Check that the instance name is that of the LTI identity provider the launches "
                "use, and in Panopto which external id the folder has (its settings page). "
                "Until this passes, the portal cannot confirm folders or show recordings."
            ),
        )
    return credentials, CheckResult(
        "api_mapping",
        mapping_title,
        Status.PASS,
        _("The folder of %(space)s is Panopto's folder “%(name)s” (%(id)s).")
        % {"space": plan.folder_space, "name": outcome.found.name, "id": outcome.found.id},
    )


def _not_asked(title: str) -> CheckResult:
    return CheckResult(
        "api_mapping",
        title,
        Status.WARN,
        _("Not checked: the API could not be asked."),
        _("Fix the check above first."),
    )

"""The self-test's checks of Panopto's API (SPEC §7): the credentials (one authenticated call)
and the mapping of an LTI folder to its external id (`mapping.folder_external_id`), proved or
disproved on the site itself; with the REST API client configured, its token and one
authenticated REST call (`GET /folders/{id}`). The API user's rights for taking access back
(UserManagement, AccessManagement): `self_test_access.py`.

Split in three so that the calls can run in the self-test's thread pool beside the probes while
the database is read in the asking thread: `api_check_plan` (reads), `api_check_call` and
`rest_check_call` (HTTP only), `api_check_results` and `rest_check_result` (words).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from panopto_link.lti_platform.api import CheckResult, Status
from panopto_link.models import FolderState, PanoptoFolder, PanoptoRegistration
from panopto_link.panopto_api import rest, soap
from panopto_link.panopto_api.connection import ApiConnection, api_connection
from panopto_link.panopto_api.mapping import folder_external_id

# Asked for when no folder has been launched yet: any id proves the credentials.
PROBE_EXTERNAL_ID = "neptun-portal-self-test"
# Asked of the REST API when no folder has Panopto's id yet: an answer, 404 included, proves
# the token. Not the empty GUID: Panopto's samples say the top level it names "is not the real
# folder and some API behaves differently" (`folders-cli/sample.py`).
PROBE_FOLDER_ID = "5e1f7e57-5e1f-4e57-8e57-5e1f7e575e1f"


@dataclass(frozen=True)
class ApiCheckPlan:
    connection: ApiConnection | None
    problem: str  # why there is no connection although settings exist
    folder_space: str  # the space code of the launched folder looked up, or ""
    external_id: str  # what is asked for
    rest_folder_id: str = PROBE_FOLDER_ID  # what the REST check asks for
    rest_folder_space: str = ""  # the space code of that folder, or ""
    # The newest confirmed folder (Panopto's id known): whose access the access check reads.
    confirmed_folder_id: str = ""
    confirmed_folder_space: str = ""


@dataclass(frozen=True)
class ApiCheckOutcome:
    found: soap.ApiFolder | None = None
    unavailable: str = ""
    refused: str = ""


@dataclass(frozen=True)
class RestCheckOutcome:
    asked: bool = False
    found: rest.RestFolder | None = None
    unavailable: str = ""
    refused: str = ""
    oauth2_error: str = ""  # OAuth2's error code when the token request was refused


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
    confirmed = (
        PanoptoFolder.objects.filter(state=FolderState.CREATED)
        .exclude(panopto_id="")
        .select_related("space")
        .order_by("-panopto_checked_at", "-pk")
        .first()
    )
    rest_confirmed = confirmed if connection.has_rest else None
    rest_target = {
        "rest_folder_id": rest_confirmed.panopto_id if rest_confirmed else PROBE_FOLDER_ID,
        "rest_folder_space": rest_confirmed.space.code if rest_confirmed else "",
        "confirmed_folder_id": confirmed.panopto_id if confirmed else "",
        "confirmed_folder_space": confirmed.space.code if confirmed else "",
    }
    if folder is None:
        return ApiCheckPlan(connection, "", "", PROBE_EXTERNAL_ID, **rest_target)
    return ApiCheckPlan(
        connection, "", folder.space.code, folder_external_id(folder.context_id), **rest_target
    )


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


def rest_check_call(plan: ApiCheckPlan) -> RestCheckOutcome:
    """The REST check's calls: a token, then `GET /folders/{id}`. HTTP only, no database."""
    if plan.connection is None or not plan.connection.has_rest:
        return RestCheckOutcome()
    try:
        rest.forget_token(plan.connection)  # a new token: the check is of the credentials now
        found = rest.folder(plan.connection, plan.rest_folder_id)
    except rest.TokenRefused as error:
        return RestCheckOutcome(asked=True, refused=str(error), oauth2_error=error.error)
    except rest.PanoptoApiUnavailable as error:
        return RestCheckOutcome(asked=True, unavailable=str(error))
    except rest.PanoptoApiRefused as error:
        return RestCheckOutcome(asked=True, refused=str(error))
    return RestCheckOutcome(asked=True, found=found)


def rest_check_result(plan: ApiCheckPlan, outcome: RestCheckOutcome) -> CheckResult:
    title = _("Panopto's REST API: a token and an authenticated call")
    if plan.connection is None or not plan.connection.has_rest:
        return CheckResult(
            "api_rest",
            title,
            Status.PASS,
            _(
                "Not configured: the portal uses the SOAP API alone (the REST API client is "
                "optional)."
            ),
        )
    if outcome.unavailable:
        return CheckResult(
            "api_rest",
            title,
            Status.FAIL,
            _("%(url)s could not be asked: %(error)s.")
            % {"url": plan.connection.token_url, "error": outcome.unavailable},
            _(
                "Check the Panopto site URL and that this server reaches Panopto (proxy, "
                "firewall, certificate); the portal keeps working without the API."
            ),
        )
    if outcome.oauth2_error == "invalid_client":
        return CheckResult(
            "api_rest",
            title,
            Status.FAIL,
            _("Panopto refused the API client (invalid_client)."),
            _(
                "Check the REST API client id and secret against Panopto's API client (System "
                "→ API Clients); enter the secret again if it was regenerated there."
            ),
        )
    if outcome.oauth2_error:
        return CheckResult(
            "api_rest",
            title,
            Status.FAIL,
            _("Panopto refused the token request (%(error)s).") % {"error": outcome.oauth2_error},
            _(
                "Check that the API client's type allows the password grant (Panopto's sample "
                "for an identity provider integration uses a User Based Server Application), "
                "and the identity provider's instance name, application key and API user "
                "above: the password is derived from them."
            ),
        )
    if outcome.refused:
        return CheckResult(
            "api_rest",
            title,
            Status.FAIL,
            _("Panopto refused the authenticated call: %(error)s.") % {"error": outcome.refused},
            _(
                "Check that the API user may read folders in Panopto (e.g. an administrator) "
                "and that the API client's scopes include api."
            ),
        )
    user = plan.connection.user_key
    if outcome.found is not None and plan.rest_folder_space:
        detail = _(
            "Panopto gave a token for %(user)s and found the folder of %(space)s by its id "
            "(%(id)s)."
        ) % {"user": user, "space": plan.rest_folder_space, "id": outcome.found.id}
        return CheckResult("api_rest", title, Status.PASS, detail)
    if outcome.found is None and plan.rest_folder_space:
        return CheckResult(
            "api_rest",
            title,
            Status.WARN,
            _(
                "Panopto gave a token for %(user)s but has no folder %(id)s, the Panopto id of "
                "%(space)s's folder."
            )
            % {"user": user, "id": plan.rest_folder_id, "space": plan.rest_folder_space},
            _(
                "Run manage.py panopto_confirm --recheck-hours 0: a folder deleted in Panopto "
                "counts as not created until its administrator opens it again."
            ),
        )
    return CheckResult(
        "api_rest",
        title,
        Status.PASS,
        _("Panopto gave a token for %(user)s and answered an authenticated call.") % {"user": user},
    )


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

"""The self-test's API checks (issue 23 item 5) against the stand-in: the credentials by one
authenticated call, and the mapping proved on a folder a launch created — PASS when the API
finds it under the expected external id, WARN with what to check when not."""

import dataclasses
import time

import pytest
from django.utils import timezone

from panopto_link.lti_platform.api import Status
from panopto_link.models import FolderState
from panopto_link.panopto_api.self_test import (
    api_check_call,
    api_check_plan,
    api_check_results,
    rest_check_call,
    rest_check_result,
)
from panopto_link.services import registration_configure
from panopto_link.simulator.models import Folder as StandInFolder
from tests.factories import FolderFactory, SpaceFactory
from tests.silent_server import SilentServer

pytestmark = pytest.mark.django_db(transaction=True)


def checks(plan=None):
    plan = plan or api_check_plan(None)
    credentials, mapping = api_check_results(plan, api_check_call(plan))
    return credentials, mapping


def launched(code="MAT101", *, in_panopto=True):
    folder = FolderFactory(
        space=SpaceFactory(code=code), state=FolderState.CREATED, created_at=timezone.now()
    )
    if in_panopto:
        StandInFolder.objects.create(context_id=folder.context_id, name=f"Analízis ({code})")
    return folder


def test_a_launched_folder_found_under_its_context_id_passes(stand_in_api):
    folder = launched()
    credentials, mapping = checks()
    assert credentials.status is Status.PASS, credentials.detail
    assert "neptun\\portal-api" in credentials.detail
    assert mapping.status is Status.PASS, mapping.detail
    assert "MAT101" in mapping.detail
    stand_in = StandInFolder.objects.get(context_id=folder.context_id)
    assert str(stand_in.public_id) in mapping.detail


def test_a_launched_folder_panopto_does_not_have_warns_with_what_to_check(stand_in_api):
    launched(in_panopto=False)
    credentials, mapping = checks()
    assert credentials.status is Status.PASS
    assert mapping.status is Status.WARN
    assert "MAT101" in mapping.detail and "neptun" in mapping.detail
    assert "instance name" in mapping.action


def test_without_a_launched_folder_the_mapping_cannot_be_proved_yet(stand_in_api):
    credentials, mapping = checks()
    assert credentials.status is Status.PASS
    assert mapping.status is Status.WARN
    assert "again" in mapping.action


def test_a_wrong_application_key_fails_the_credentials(stand_in_api):
    launched()
    registration_configure(values={"api_application_key": "a-wrong-key"})
    credentials, mapping = checks()
    assert credentials.status is Status.FAIL
    assert "refused" in credentials.detail
    assert mapping.status is Status.WARN


def test_a_panopto_that_does_not_answer_fails_the_credentials_within_the_timeout(
    stand_in_api, settings
):
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    silent = SilentServer()
    url = silent.start("/panopto/")
    try:
        plan = api_check_plan(None)
        plan = dataclasses.replace(
            plan, connection=dataclasses.replace(plan.connection, site_url=url)
        )
        credentials, _mapping = checks(plan)
    finally:
        silent.stop()
    assert credentials.status is Status.FAIL
    assert "could not be asked" in credentials.detail


def test_without_api_settings_both_checks_pass_as_not_configured(db):
    credentials, mapping = checks()
    assert credentials.status is mapping.status is Status.PASS
    assert "Not configured" in credentials.detail


def test_a_key_that_cannot_be_decrypted_fails_the_credentials(stand_in_api, settings):
    settings.LTI_KEY_ENCRYPTION_KEYS = ["b3RoZXItdGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXQ="]
    credentials, _mapping = checks()
    assert credentials.status is Status.FAIL
    assert "LTI_KEY_ENCRYPTION_KEY" in credentials.action


# --- the REST API's check ----------------------------------------------------------------------


def rest_check(plan=None):
    plan = plan or api_check_plan(None)
    return rest_check_result(plan, rest_check_call(plan))


def test_with_the_rest_client_a_token_and_an_authenticated_call_pass(stand_in_rest):
    result = rest_check()
    assert result.status is Status.PASS, result.detail
    assert "neptun\\portal-api" in result.detail


def test_the_rest_check_asks_for_a_confirmed_folder_by_its_id(stand_in_rest):
    folder = launched("FIZ101")
    stand_in = StandInFolder.objects.get(context_id=folder.context_id)
    folder.panopto_id = str(stand_in.public_id)
    folder.save(update_fields=["panopto_id"])
    result = rest_check()
    assert result.status is Status.PASS and str(stand_in.public_id) in result.detail
    stand_in.delete()  # gone from Panopto since
    result = rest_check()
    assert result.status is Status.WARN and "FIZ101" in result.detail
    assert "panopto_confirm" in result.action


def test_a_wrong_rest_client_secret_fails_naming_the_client_id_and_secret(stand_in_rest):
    registration_configure(values={"api_rest_client_secret": "not-the-secret"})
    result = rest_check()
    assert result.status is Status.FAIL and "invalid_client" in result.detail
    assert "client id and secret" in result.action


def test_a_wrong_application_key_fails_the_token_with_what_to_check(stand_in_rest):
    registration_configure(values={"api_application_key": "a-wrong-key"})
    result = rest_check()
    assert result.status is Status.FAIL and "invalid_grant" in result.detail
    assert "application key" in result.action and "API client's type" in result.action


def test_a_rest_api_that_does_not_answer_fails_within_the_timeout(stand_in_rest, settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    silent = SilentServer()
    url = silent.start("/panopto/")
    try:
        plan = api_check_plan(None)
        plan = dataclasses.replace(
            plan, connection=dataclasses.replace(plan.connection, site_url=url)
        )
        started = time.monotonic()
        result = rest_check(plan)
    finally:
        silent.stop()
    assert result.status is Status.FAIL and "could not be asked" in result.detail
    assert time.monotonic() - started < 3


def test_without_the_rest_client_the_rest_check_says_not_configured(stand_in_api):
    result = rest_check()
    assert result.status is Status.PASS and "Not configured" in result.detail


# --- the API user's rights for taking access back (UserManagement, AccessManagement) ----------


def access_check(plan=None):
    from panopto_link.panopto_api.self_test_access import access_check_call, access_check_result

    plan = plan or api_check_plan(None)
    return access_check_result(plan, access_check_call(plan, api_check_call(plan)))


def test_the_access_check_reads_the_api_user_and_the_launched_folders_access(stand_in_api):
    launched()
    result = access_check()
    assert result.key == "api_access"
    assert result.status is Status.PASS, result.detail
    assert "neptun\\portal-api" in result.detail and "MAT101" in result.detail
    assert "were not tried" in result.detail


def test_the_access_check_reads_the_newest_confirmed_folder_and_finds_a_known_api_user(
    stand_in_api,
):
    from panopto_link.simulator.models import ToolUser
    from panopto_link.simulator.services import folder_users_grant

    launched("MAT101")
    confirmed = launched("FIZ101")
    stand_in = StandInFolder.objects.get(context_id=confirmed.context_id)
    confirmed.panopto_id = str(stand_in.public_id)
    confirmed.panopto_checked_at = timezone.now()
    confirmed.save(update_fields=["panopto_id", "panopto_checked_at"])
    api_user = ToolUser.objects.create(issuer="", subject="", username="portal-api", name="API")
    folder_users_grant(folder=stand_in, user_ids=[str(api_user.public_id)], role="creator")
    result = access_check()
    assert result.status is Status.PASS, result.detail
    assert "FIZ101" in result.detail and "(1 grant or group)" in result.detail
    assert f"found the API user neptun\\portal-api ({api_user.public_id})" in result.detail


@pytest.mark.parametrize("call", ["GetUserByKey", "GetFolderAccessDetails"])
def test_a_refused_call_fails_the_access_check_with_what_to_give_the_api_user(
    stand_in_api, settings, call
):
    launched()
    settings.PANOPTO_SIM_API_REFUSED = {call}
    credentials, mapping = checks()
    assert credentials.status is mapping.status is Status.PASS  # the other calls are answered
    result = access_check()
    assert result.status is Status.FAIL
    assert f"Panopto refused {call} to neptun\\portal-api" in result.detail
    assert "Access denied" in result.detail
    assert "administrator's role" in result.action


def test_without_a_folder_known_in_panopto_the_access_check_warns(stand_in_api):
    result = access_check()
    assert result.status is Status.WARN
    assert "no such user" in result.detail and "no folder is known" in result.detail
    assert "again" in result.action


def test_the_access_check_is_not_asked_when_the_credentials_fail(stand_in_api):
    launched()
    registration_configure(values={"api_application_key": "a-wrong-key"})
    result = access_check()
    assert result.status is Status.WARN and "Not checked" in result.detail


def test_without_api_settings_the_access_check_passes_as_not_configured(db):
    result = access_check()
    assert result.status is Status.PASS and "Not configured" in result.detail

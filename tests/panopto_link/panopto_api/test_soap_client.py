"""The portal's SOAP client (zeep, through core.outbound) against the stand-in's PublicAPI: one
store shared with the stand-in's LTI side — a folder an LTI launch created is found by its
external id, a provisioned folder is the one the next launch lands in — and Panopto's auth
code rule, a wrong code refused with a SOAP fault."""

import dataclasses

import pytest

from core import breaker
from panopto_link.panopto_api import soap
from panopto_link.simulator.models import Folder
from panopto_link.simulator.services import launch_enter
from tests.metrics import Counted

pytestmark = pytest.mark.django_db(transaction=True)


def launched_folder(context_id: str = "ctx-1") -> Folder:
    return Folder.objects.create(context_id=context_id, name="Analízis I (MAT101)")


def test_a_folder_an_lti_launch_created_is_found_by_its_external_id(stand_in_api):
    folder = launched_folder("ctx-found")
    found = soap.folders_by_external_id(stand_in_api, ["ctx-found", "ctx-missing"])
    assert list(found) == ["ctx-found"]
    assert found["ctx-found"].id == str(folder.public_id)
    assert found["ctx-found"].name == "Analízis I (MAT101)"


def test_another_providers_folders_are_not_found(stand_in_api):
    launched_folder("ctx-found")
    other = dataclasses.replace(stand_in_api, provider_name="other")
    with pytest.raises(soap.PanoptoApiRefused):  # "other" has no application key there
        soap.folders_by_external_id(other, ["ctx-found"])


def test_a_wrong_application_key_is_refused_with_a_fault(stand_in_api):
    wrong = dataclasses.replace(stand_in_api, application_key="not-the-key")
    with pytest.raises(soap.PanoptoApiRefused, match="auth code"):
        soap.folders_by_external_id(wrong, ["ctx"])
    # A refusal is an answer: it neither retries nor counts towards the breaker.
    assert not breaker.is_open(soap.PARTY)


def test_a_provisioned_folder_is_the_one_the_next_lti_launch_lands_in(stand_in_api):
    provisioned = soap.provision_course(stand_in_api, name="Fizika (FIZ1)", external_id="ctx-p")
    again = soap.provision_course(stand_in_api, name="Fizika (FIZ1)", external_id="ctx-p")
    assert again == provisioned  # idempotent
    assert Folder.objects.filter(context_id="ctx-p").count() == 1
    body = {
        "iss": "https://portal.example",
        "sub": "student-1",
        "https://purl.imsglobal.org/spec/lti/claim/context": {
            "id": "ctx-p",
            "title": "Fizika",
            "label": "FIZ1",
        },
    }
    entry = launch_enter(body=body, is_instructor=False)  # a member, no instructor before
    assert str(entry.folder.public_id) == provisioned.id
    assert entry.role == "viewer"


def test_the_newest_recordings_of_a_folder_come_newest_first(stand_in_api):
    provisioned = soap.provision_course(stand_in_api, name="Fizika", external_id="ctx-r")
    sessions = soap.newest_sessions(stand_in_api, folder_id=provisioned.id, count=2)
    assert len(sessions) == 2
    assert sessions[0].start_time > sessions[1].start_time
    first = sessions[0]
    assert first.name and first.duration_seconds and first.duration_seconds > 0
    assert first.viewer_url.startswith(stand_in_api.origin + "/panopto-sim/viewer/")
    assert first.thumb_url.startswith(stand_in_api.origin)


def test_the_wsdl_is_fetched_once_and_kept(stand_in_api):
    with Counted() as counted:
        for _ in range(3):
            soap.folders_by_external_id(stand_in_api, ["x"])
        soap.forget_clients()  # another worker: parses the kept copy again, does not fetch it
        soap.folders_by_external_id(stand_in_api, ["x"])
    assert counted("neptun_outbound_fetches_total", document="panopto_wsdl", outcome="ok") == 1
    calls = counted(
        "neptun_outbound_calls_total",
        party="panopto_api",
        operation="GetAllFoldersByExternalId",
        outcome="ok",
    )
    assert calls == 4


def test_a_stand_in_that_is_down_makes_the_api_unavailable(stand_in_api, settings):
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    with pytest.raises(soap.PanoptoApiUnavailable):
        soap.folders_by_external_id(stand_in_api, ["x"])

"""Taking access back in Panopto (issue 24 item 1; docs/decisions/0019): `revoke_folder_access`
and `folder_access` against the stand-in served by the live server — real HTTP, the stand-in's
WSDLs, zeep — and the stand-in enforcing it on its folder and viewer pages, from an existing
stand-in session too."""

import time

import pytest
from django.test import Client

from panopto_link.launch.sent import launch_user
from panopto_link.models import PanoptoRegistration
from panopto_link.panopto_api import access, soap, users
from panopto_link.services import registration_configure
from panopto_link.simulator.models import ApiProvider, Folder, FolderAccess, ToolUser
from panopto_link.simulator.services import folder_users_grant
from tests.panopto_link.simulator import conftest as stand_in_conftest
from tests.silent_server import SilentServer

pytestmark = pytest.mark.django_db(transaction=True)

# The stand-in's LTI side, as its own tests set it up.
standin = stand_in_conftest.standin
jwks_fetches = stand_in_conftest.jwks_fetches
stand_in_jwks_fetches = stand_in_conftest.stand_in_jwks_fetches
launch_through_portal = stand_in_conftest.launch_through_portal


def enter(user, space) -> Client:
    """A fresh browser launches through the portal into the stand-in; returns it, signed in
    to the stand-in."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = launch_through_portal(client, user, space)
    assert answer.status_code == 303, answer.content.decode()
    assert client.get(answer["Location"]).status_code == 200
    return client


def username_of(user) -> str:
    """The username Panopto knows the person by: what the portal's launch sends."""
    sent = launch_user(user, PanoptoRegistration.load())
    assert sent.person_sourcedid
    return sent.person_sourcedid


@pytest.fixture
def launched(world, standin, stand_in_api):
    """The lecturer created the course's folder, the student entered it as Viewer and holds a
    stand-in session."""
    enter(world.admin, world.course)
    student = enter(world.member, world.course)
    folder = Folder.objects.get(context_id=world.folder().context_id)
    return student, folder


def folder_page(client: Client, folder: Folder):
    return client.get(f"/panopto-sim/folders/{folder.public_id}/")


def test_revoking_refuses_the_student_from_their_existing_session(world, launched, stand_in_api):
    student, folder = launched
    recording = folder.recordings.first()
    assert folder_page(student, folder).status_code == 200
    assert student.get(f"/panopto-sim/viewer/{recording.public_id}/").status_code == 200

    result = access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username=username_of(world.member)
    )
    assert result.user_exists and result.changed
    assert result.roles == ("Viewer",) and result.groups == () and not result.folder_is_public
    # The same stand-in session cookie, refused on the next request.
    assert folder_page(student, folder).status_code == 404
    assert student.get(f"/panopto-sim/viewer/{recording.public_id}/").status_code == 404
    assert (
        f'data-context-id="{folder.context_id}"'
        not in student.get("/panopto-sim/").content.decode()
    )
    # The lecturer keeps theirs.
    lecturer = ToolUser.objects.get(subject=str(world.admin.lti_subject))
    assert FolderAccess.objects.filter(user=lecturer, folder=folder).exists()


def test_a_second_revoke_finds_nothing_and_says_so(world, launched, stand_in_api):
    _student, folder = launched
    username = username_of(world.member)
    first = access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username=username
    )
    second = access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username=username
    )
    assert first.changed
    assert second.user_exists and not second.changed
    assert second.roles == () and second.groups == ()


def test_a_person_panopto_never_saw_is_reported_as_such(launched, stand_in_api):
    _student, folder = launched
    result = access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username="nobody-here"
    )
    assert not result.user_exists and not result.changed


def test_a_new_launch_grants_again_as_panopto_would(world, launched, stand_in_api):
    student, folder = launched
    access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username=username_of(world.member)
    )
    assert folder_page(student, folder).status_code == 404
    again = enter(world.member, world.course)
    assert folder_page(again, folder).status_code == 200


def test_folder_access_lists_a_grant_made_behind_the_portals_back(world, launched, stand_in_api):
    _student, folder = launched
    outsider = ToolUser.objects.create(issuer="", subject="", username="outsider", name="Out Sider")
    folder_users_grant(folder=folder, user_ids=[str(outsider.public_id)], role="viewer")
    found = access.folder_access(stand_in_api, folder_id=str(folder.public_id))
    assert access.AccessEntry("outsider", "Viewer", access.How.USER) in found.entries
    assert access.AccessEntry(username_of(world.member), "Viewer", access.How.USER) in found.entries
    assert access.AccessEntry(username_of(world.admin), "Creator", access.How.USER) in found.entries
    assert not found.is_public
    # and revoking it takes it back
    result = access.revoke_folder_access(
        stand_in_api, folder_id=str(folder.public_id), username="outsider"
    )
    assert result.roles == ("Viewer",)
    assert (
        "outsider"
        not in access.folder_access(stand_in_api, folder_id=str(folder.public_id)).usernames()
    )


def test_grant_wrapper_gives_user_level_access(world, launched, stand_in_api):
    _student, folder = launched
    outsider = ToolUser.objects.create(issuer="", subject="", username="guest", name="G")
    access.grant_users_access(
        stand_in_api,
        folder_id=str(folder.public_id),
        user_ids=[str(outsider.public_id)],
        role="Creator",
    )
    assert FolderAccess.objects.get(user=outsider, folder=folder).role == "creator"


def test_a_wrong_application_key_is_refused(world, launched, stand_in_api):
    _student, folder = launched
    ApiProvider.objects.filter(instance_name=stand_in_api.provider_name).update(
        application_key="another-key"
    )
    with pytest.raises(soap.PanoptoApiRefused):
        access.revoke_folder_access(
            stand_in_api, folder_id=str(folder.public_id), username=username_of(world.member)
        )
    with pytest.raises(soap.PanoptoApiRefused):
        access.folder_access(stand_in_api, folder_id=str(folder.public_id))
    assert FolderAccess.objects.filter(folder=folder, role="viewer").exists()  # nothing taken


def test_an_unknown_folder_is_refused(stand_in_api):
    with pytest.raises(soap.PanoptoApiRefused):
        access.folder_access(stand_in_api, folder_id="6f0a3e1c-0000-4000-8000-000000000000")


def test_a_stand_in_that_is_down_is_unavailable(world, launched, stand_in_api, settings):
    _student, folder = launched
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0.05
    soap.forget_clients()
    with pytest.raises(soap.PanoptoApiUnavailable):
        access.revoke_folder_access(
            stand_in_api, folder_id=str(folder.public_id), username=username_of(world.member)
        )


def test_a_hung_stand_in_is_unavailable_within_the_outbound_budget(stand_in_api, settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0.05
    server = SilentServer()
    url = server.start("/panopto/")
    registration_configure(values={"site_url": url})
    from panopto_link.panopto_api.connection import api_connection

    hung = api_connection()
    try:
        started = time.monotonic()
        with pytest.raises(soap.PanoptoApiUnavailable):
            access.revoke_folder_access(
                hung, folder_id="6f0a3e1c-0000-4000-8000-000000000000", username="anyone"
            )
        assert time.monotonic() - started < 3  # two tries of 0.5 s and a backoff, no hang
        assert server.accepted >= 1
    finally:
        server.stop()


def test_get_user_by_key_finds_a_user_an_lti_launch_created(world, launched, stand_in_api):
    found = users.user_by_key(stand_in_api, username=username_of(world.member))
    tool_user = ToolUser.objects.get(subject=str(world.member.lti_subject))
    assert found is not None and found.id == str(tool_user.public_id)
    assert found.key == f"{stand_in_api.provider_name}\\{tool_user.username}"


def test_revoking_takes_the_person_out_of_the_portals_groups_of_the_folder(stand_in_api):
    """A person in the folder's external groups (provisioning creates them, SyncExternalUser
    sets membership): revoking takes them out of those groups, and only those."""
    folder = soap.provision_course(stand_in_api, name="Fizika", external_id="ctx-f")
    other = soap.provision_course(stand_in_api, name="Kémia", external_id="ctx-k")
    users.sync_external_user(
        stand_in_api,
        username="teacher",
        first_name="Tanár",
        last_name="Úr",
        email="t@example.com",
        external_group_ids=["ctx-f_creators", "ctx-k_creators", "ctx-f_viewers"],
    )
    found = access.folder_access(stand_in_api, folder_id=folder.id)
    assert access.AccessEntry("teacher", "Creator", access.How.GROUP, "ctx-f_creators") in (
        found.entries
    )
    result = access.revoke_folder_access(stand_in_api, folder_id=folder.id, username="teacher")
    assert result.user_exists and result.roles == ()
    assert result.groups == ("ctx-f_creators", "ctx-f_viewers")
    assert "teacher" not in access.folder_access(stand_in_api, folder_id=folder.id).usernames()
    # The other folder's group is left alone.
    assert "teacher" in access.folder_access(stand_in_api, folder_id=other.id).usernames()
    again = access.revoke_folder_access(stand_in_api, folder_id=folder.id, username="teacher")
    assert not again.changed


def test_a_slow_stand_in_is_unavailable_for_the_new_services_too(stand_in_api, settings):
    """PANOPTO_SIM_API_DELAY_SECONDS slows UserManagement and AccessManagement as it does
    SessionManagement: a call slower than the outbound timeout is unavailable, not waited for."""
    settings.PANOPTO_SIM_API_DELAY_SECONDS = 1
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.3
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0.05
    started = time.monotonic()
    with pytest.raises(soap.PanoptoApiUnavailable):
        users.user_by_key(stand_in_api, username="anyone")
    assert time.monotonic() - started < 2


def test_an_operation_the_wsdl_does_not_offer_is_refused_not_a_crash(stand_in_api):
    with pytest.raises(soap.PanoptoApiRefused, match="does not offer"):
        soap.call(stand_in_api, soap.USER_MANAGEMENT, "DeleteUsers", userIds={"guid": []})

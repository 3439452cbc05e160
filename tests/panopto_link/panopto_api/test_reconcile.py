"""Issue 24 item 3: `manage.py panopto_reconcile` compares each confirmed folder's access in
Panopto (the stand-in, over its real SOAP side) with the portal's rules and takes back what
nobody is entitled to — a grant made behind the portal's back; `--dry-run` changes nothing.
The run is kept for the admin and its counts go to the metrics."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from panopto_link.models import FolderAccessCheck, ReconcileRun
from panopto_link.panopto_api import access
from panopto_link.panopto_api.services import folder_found_in_panopto
from panopto_link.simulator.models import ToolUser
from panopto_link.simulator.services import folder_users_grant
from tests.metrics import key, parsed
from tests.panopto_link.panopto_api import test_access as access_tests

pytestmark = pytest.mark.django_db(transaction=True)

standin = access_tests.standin
jwks_fetches = access_tests.jwks_fetches
stand_in_jwks_fetches = access_tests.stand_in_jwks_fetches
launched = access_tests.launched
username_of = access_tests.username_of


@pytest.fixture
def behind_the_back(world, launched, stand_in_api):
    """The course (private) confirmed, its lecturer and student in Panopto, and an outsider
    given Viewer access in Panopto by hand."""
    _student, folder = launched
    world.course.is_public = False
    world.course.save()
    folder_found_in_panopto(folder=world.folder(), panopto_id=str(folder.public_id))
    outsider = ToolUser.objects.create(issuer="", subject="", username="outsider", name="O")
    folder_users_grant(folder=folder, user_ids=[str(outsider.public_id)], role="viewer")
    return folder


def usernames(connection, folder) -> set[str]:
    return access.folder_access(connection, folder_id=str(folder.public_id)).usernames()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("panopto_reconcile", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_and_changes_nothing(world, behind_the_back, stand_in_api):
    out = run("--dry-run")
    assert "[1/1] MAT101-EA: 1 not entitled (dry run)" in out
    assert "outsider (Viewer, user): nobody in the portal is entitled" in out
    assert "1 would be taken back." in out
    assert "outsider" in usernames(stand_in_api, behind_the_back)
    last = ReconcileRun.objects.get()
    assert last.dry_run and last.taken_back == 0 and last.changes[0]["username"] == "outsider"


def test_a_grant_behind_the_portals_back_is_found_and_taken_back(
    world, behind_the_back, stand_in_api, client
):
    out = run()
    assert "outsider (Viewer, user): nobody in the portal is entitled" in out
    assert "1 taken back." in out
    left = usernames(stand_in_api, behind_the_back)
    assert "outsider" not in left
    # The members keep theirs: the portal entitles them.
    assert {username_of(world.member), username_of(world.admin)} <= left
    check = FolderAccessCheck.objects.get(folder=world.folder())
    assert {entry["username"] for entry in check.entries} == left
    # A second run finds nothing more.
    assert "0 not entitled, 0 taken back." in run()
    samples = parsed(client.get("/metrics").content.decode())
    assert samples[key("neptun_panopto_reconcile_last_run", what="folders")] == 1
    assert samples[key("neptun_panopto_reconcile_last_run", what="taken_back")] == 0


def test_the_admin_lists_the_runs_and_their_changes(world, behind_the_back, admin_client):
    run()
    page = admin_client.get(
        reverse("admin:panopto_link_reconcilerun_change", args=[ReconcileRun.objects.get().pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "MAT101-EA" in text and "outsider" in text


# --- a Creator role the portal no longer gives (a member, not an administrator, now) ----------


def role_in(folder, user) -> str | None:
    """The person's role in the stand-in's folder: the stronger of their grant and groups'."""
    from panopto_link.simulator import selectors

    tool_user = ToolUser.objects.get(subject=str(user.lti_subject))
    return selectors.roles_of(tool_user).get(folder.pk)


@pytest.fixture
def member_made_creator(world, behind_the_back):
    """The student (a member of the course) given the Creator role in Panopto by hand; the
    outsider's grant taken away again, so that only the Creator role is left to find."""
    folder = behind_the_back
    ToolUser.objects.filter(username="outsider").delete()
    student = ToolUser.objects.get(subject=str(world.member.lti_subject))
    folder_users_grant(folder=folder, user_ids=[str(student.public_id)], role="creator")
    assert role_in(folder, world.member) == role_in(folder, world.admin) == "creator"
    return folder


def test_a_members_creator_role_is_found_and_reduced_to_viewer(
    world, member_made_creator, stand_in_api, client
):
    folder = member_made_creator
    student = username_of(world.member)
    out = run()
    assert "[1/1] MAT101-EA: 0 not entitled, 1 Creator not entitled, taken back" in out
    assert (
        f"{student} (Creator, user): a Creator in Panopto, no longer an administrator of the "
        "space — the Creator role taken back, Viewer kept"
    ) in out
    assert "0 not entitled, 0 taken back." in out
    assert "no longer administer the space: 1 found, 1 taken back." in out
    # Reduced to Viewer: the student still enters, as Viewer; the lecturer stays a Creator.
    assert role_in(folder, world.member) == "viewer"
    assert role_in(folder, world.admin) == "creator"
    assert username_of(world.admin) not in out
    last = ReconcileRun.objects.get()
    assert (last.taken_back, last.creators_taken_back) == (0, 1)
    assert [(c["username"], c["reason"], c["done"]) for c in last.changes] == [
        (student, "not_creator", True)
    ]
    check = FolderAccessCheck.objects.get(folder=world.folder())
    assert {"username": student, "role": "Viewer", "how": "user", "group": ""} in check.entries
    samples = parsed(client.get("/metrics").content.decode())
    assert samples[key("neptun_panopto_reconcile_last_run", what="creators_found")] == 1
    assert samples[key("neptun_panopto_reconcile_last_run", what="creators_taken_back")] == 1
    assert samples[key("neptun_panopto_reconcile_last_run", what="found")] == 0
    # A second run finds nothing more.
    assert "no longer administer the space: 0 found, 0 taken back." in run()


def test_a_dry_run_reports_the_creator_role_and_changes_nothing(
    world, member_made_creator, stand_in_api
):
    folder = member_made_creator
    out = run("--dry-run")
    assert "[1/1] MAT101-EA: 0 not entitled, 1 Creator not entitled (dry run)" in out
    assert "the Creator role would be taken back, Viewer kept" in out
    assert "no longer administer the space: 1 found, 1 would lose it." in out
    assert role_in(folder, world.member) == "creator"
    last = ReconcileRun.objects.get()
    assert last.dry_run and last.creators_taken_back == 0
    assert last.changes[0]["reason"] == "not_creator" and not last.changes[0]["done"]


def test_the_admin_lists_the_creator_roles_apart(world, member_made_creator, admin_client):
    run()
    run_pk = ReconcileRun.objects.get().pk
    page = admin_client.get(
        reverse("admin:panopto_link_reconcilerun_change", args=[run_pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = page.content.decode()
    assert "Creators in Panopto who no longer administer the space" in text
    assert "Nobody in the portal is entitled to these" not in text
    listing = admin_client.get(
        reverse("admin:panopto_link_reconcilerun_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Creator roles not entitled" in listing

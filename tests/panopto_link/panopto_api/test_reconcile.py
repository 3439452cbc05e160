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

"""`manage.py panopto_provision` (issue 23 item 4) against the stand-in: a semester's folders are
created in Panopto under the external id their launches will carry, then count as created, so
that a member's first launch lands in the provisioned folder as Viewer. Idempotent, resumable,
with progress, a dry run and a summary."""

import io

import pytest
from django.core.management import CommandError, call_command

from core import shared_cache
from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.panopto_api.provision import panopto_folder_name
from panopto_link.simulator.models import Folder as StandInFolder
from panopto_link.simulator.services import launch_enter
from tests.factories import CourseFactory, FolderFactory, SpaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEMESTER = "2026/27/1"


def run(*args) -> str:
    out = io.StringIO()
    call_command("panopto_provision", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def term():
    subject = SpaceFactory(code="MAT", name="Matematika")
    return [
        CourseFactory(code=f"MAT-{n}", name=f"Analízis {n}", semester=SEMESTER, subject=subject)
        for n in (1, 2, 3)
    ]


def test_a_semesters_folders_are_created_in_panopto_and_count_as_created(stand_in_api, term):
    out = run(f"--semester={SEMESTER}")
    assert "[1/3] MAT-1 – Analízis 1: created in Panopto" in out
    assert "3 spaces: 3 created in Panopto." in out
    for space in term:
        folder = PanoptoFolder.objects.get(space=space)
        assert folder.state == FolderState.CREATED and folder.created_by is None
        assert folder.context_used_at is not None  # the id can never change now
        stand_in = StandInFolder.objects.get(context_id=folder.context_id)
        assert stand_in.name == panopto_folder_name(space) == f"{space.name} ({space.code})"


def test_a_members_first_launch_lands_in_the_provisioned_folder_as_viewer(stand_in_api, term):
    run(f"--space={term[0].code}")
    folder = PanoptoFolder.objects.get(space=term[0])
    entry = launch_enter(
        body={
            "iss": "https://portal.example",
            "sub": "student-1",
            "https://purl.imsglobal.org/spec/lti/claim/context": {
                "id": folder.context_id,
                "title": term[0].name,
                "label": term[0].code,
            },
        },
        is_instructor=False,
    )
    assert entry.folder.context_id == folder.context_id and entry.role == "viewer"
    assert not entry.created_folder


def test_running_again_changes_nothing(stand_in_api, term):
    run(f"--semester={SEMESTER}")
    out = run(f"--semester={SEMESTER}")
    assert "3 spaces: 3 already created, left alone." in out
    assert StandInFolder.objects.count() == 3


def test_a_folder_a_lecturer_already_created_is_left_alone(stand_in_api, term):
    FolderFactory(space=term[1], state=FolderState.CREATED, created_at="2026-09-01T10:00Z")
    out = run(f"--semester={SEMESTER}")
    assert "MAT-2 – Analízis 2: already created, left alone" in out
    assert StandInFolder.objects.count() == 2


def test_a_dry_run_changes_nothing_on_either_side(stand_in_api, term):
    out = run(f"--semester={SEMESTER}", "--dry-run")
    assert "3 spaces: 3 would be created in Panopto." in out
    assert StandInFolder.objects.count() == 0
    assert not PanoptoFolder.objects.filter(state=FolderState.CREATED).exists()


def test_a_run_panopto_stops_answering_in_stops_and_the_next_run_resumes(
    stand_in_api, term, settings
):
    run(f"--space={term[0].code}")
    settings.PANOPTO_SIM_API_DOWN = True
    settings.OUTBOUND_CALL_BACKOFF_SECONDS = 0
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("panopto_provision", f"--semester={SEMESTER}", stdout=out)
    text = out.getvalue()
    assert "MAT-2 – Analízis 2: Panopto did not answer" in text
    assert "Stopped after 2 of 3" in text and "MAT-3" not in text
    assert not PanoptoFolder.objects.filter(space=term[1], state=FolderState.CREATED).exists()
    settings.PANOPTO_SIM_API_DOWN = False
    shared_cache.delete("outbound:breaker:panopto_api:open")
    shared_cache.delete("outbound:breaker:panopto_api:failures")
    out = run(f"--semester={SEMESTER}")
    assert "3 spaces: 2 created in Panopto, 1 already created, left alone." in out


def test_without_api_settings_the_command_says_what_to_configure(db, term):
    with pytest.raises(CommandError, match="not configured"):
        run(f"--semester={SEMESTER}")


def test_an_unknown_space_code_is_refused(stand_in_api, term):
    with pytest.raises(CommandError, match="NOPE"):
        run("--space=NOPE")


def test_the_folders_admin_action_creates_the_ticked_folders(stand_in_api, term, admin_client):
    folders = [FolderFactory(space=space) for space in term[:2]]
    answer = admin_client.post(
        "/admin/panopto_link/panoptofolder/",
        {"action": "provision_in_panopto", "_selected_action": [f.pk for f in folders]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200
    assert "Created in Panopto: 2; already created: 0." in answer.content.decode()
    assert PanoptoFolder.objects.filter(state=FolderState.CREATED).count() == 2
    assert StandInFolder.objects.count() == 2

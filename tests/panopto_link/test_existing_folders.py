"""Existing Panopto folders (issue 12): an IT administrator gives a space the context id of a
folder that already exists in Panopto — one space in the admin, many from a CSV file — while
the space's own context id has never been used; the folder then counts as created and members
enter it at once. One context id belongs to one space, and a used one never changes."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.csv_rows import CsvFileError
from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import FolderState, PanoptoFolder
from panopto_link.services import existing_folders_import_csv, folder_give_existing_context
from tests.factories import SpaceFactory
from tests.lti_tool import run_launch

pytestmark = pytest.mark.django_db

EXISTING = "c6ad9e8d0f1c4a0b9e2f0123456789abcdef0123"  # as an earlier integration named it


def test_a_space_given_an_existing_folder_lets_its_members_enter_it_at_once(world, tool):
    given = folder_give_existing_context(
        space=world.course, context_id=f"  {EXISTING} ", user=world.admin
    )
    folder = world.folder()
    assert given.changed and folder.context_id == EXISTING
    assert folder.state == FolderState.CREATED and folder.is_existing_folder
    assert folder.created_by == world.admin and folder.created_at is not None

    client = Client()
    client.force_login(world.member)  # no administrator has launched: the folder exists
    result = run_launch(client, world.course.pk, tool=tool)
    data = tool.launch(result.fields, result.login.cookies).get_launch_data()
    assert data[claims.CONTEXT]["id"] == EXISTING
    assert data[claims.ROLES] == [claims.ROLE_LEARNER]


def test_giving_a_space_the_same_existing_folder_again_changes_nothing(world):
    folder_give_existing_context(space=world.course, context_id=EXISTING)
    assert not folder_give_existing_context(space=world.course, context_id=EXISTING).changed


def test_a_space_without_a_folder_row_gets_one_with_the_existing_id(db):
    space = SpaceFactory(code="NEW101")
    folder_give_existing_context(space=space, context_id=EXISTING)
    assert PanoptoFolder.objects.get(space=space).context_id == EXISTING


def refused(space, context_id: str, match: str) -> None:
    before = list(PanoptoFolder.objects.values_list("space_id", "context_id", "state"))
    # In English whatever language a request of the test left active.
    with pytest.raises(ValidationError, match=match), translation.override("en"):
        folder_give_existing_context(space=space, context_id=context_id)
    assert list(PanoptoFolder.objects.values_list("space_id", "context_id", "state")) == before


def test_a_folder_whose_hint_was_issued_keeps_its_own_context_id(client, world):
    client.force_login(world.admin)
    assert client.post(f"/panopto/launch/{world.course.pk}/").status_code == 302  # the click
    refused(world.course, EXISTING, "already been launched")


def test_a_created_folder_keeps_its_own_context_id(world):
    world.create_context()
    refused(world.course, EXISTING, "already been launched")


def test_a_folder_named_by_an_accepted_launch_record_keeps_its_context_id(world):
    folder = world.folder()
    LaunchRecord.objects.create(
        stage=LaunchStage.INITIATION,
        outcome=LaunchOutcome.ACCEPTED,
        context_id=folder.context_id,
        space=world.course,
    )
    refused(world.course, EXISTING, "already been launched")


def test_one_context_id_belongs_to_one_space(world):
    folder_give_existing_context(space=world.subject, context_id=EXISTING)
    refused(world.course, EXISTING, "already belongs to the space “MAT101”")


def test_a_context_id_launched_from_another_space_is_refused(world):
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        context_id=EXISTING,
        space=None,  # its space has been deleted since
    )
    refused(world.course, EXISTING, "already used by launches of another space")


@pytest.mark.parametrize("bad", ["", "with space", "tab\there", "ékezet", "x" * 256, "nul\x00"])
def test_a_context_id_is_plain_ascii_text_without_spaces(world, bad):
    refused(world.course, bad, "plain ASCII")


def test_the_database_still_refuses_to_change_a_given_context_id(world):
    folder = folder_give_existing_context(space=world.course, context_id=EXISTING).folder
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(context_id="another")


# --- the CSV import ----------------------------------------------------------------------------


@pytest.fixture
def spaces(db):
    return {code: SpaceFactory(code=code) for code in ("MAT101", "MAT102", "INF101", "INF102")}


GOOD_FILE = (
    b"space code;context id\n"
    b"MAT101;ctx-mat101-from-moodle\n"
    b"MAT102;ctx-mat102-from-moodle\n"
    b"\n"
    b"INF101;ctx-inf101-from-moodle\n"
)


def contexts() -> dict[str, str]:
    return dict(PanoptoFolder.objects.values_list("space__code", "context_id"))


def test_a_good_file_gives_every_space_its_existing_folder(spaces):
    result = existing_folders_import_csv(data=GOOD_FILE)
    assert result.imported and (result.rows, result.created, result.unchanged) == (3, 3, 0)
    assert contexts() == {
        "MAT101": "ctx-mat101-from-moodle",
        "MAT102": "ctx-mat102-from-moodle",
        "INF101": "ctx-inf101-from-moodle",
    }
    assert set(PanoptoFolder.objects.values_list("state", flat=True)) == {FolderState.CREATED}
    again = existing_folders_import_csv(data=GOOD_FILE)
    assert again.imported and (again.created, again.unchanged) == (0, 3)


def test_every_bad_row_is_listed_and_nothing_is_written(spaces):
    PanoptoFolder.objects.create(
        space=spaces["INF102"],
        state=FolderState.CREATED,
        created_at=timezone.now(),
        context_used_at=timezone.now(),
    )
    data = (
        b"MAT101,ctx-1\n"  # good, but the file has bad rows: not written either
        b"NOPE01,ctx-2\n"  # no such space
        b"MAT102,ctx-1\n"  # the same context id as line 1
        b"MAT101,ctx-3\n"  # the same space as line 1, another id
        b"INF101,has space\n"  # not a context id
        b"INF102,ctx-4\n"  # launched already
        b"INF101\n"  # one column
    )
    result = existing_folders_import_csv(data=data)
    assert not result.imported
    assert [(problem.line, problem.row[0]) for problem in result.problems] == [
        (2, "NOPE01"),
        (3, "MAT102"),
        (4, "MAT101"),
        (5, "INF101"),
        (6, "INF102"),
        (7, "INF101"),
    ]
    reasons = [problem.reason for problem in result.problems]
    assert "No virtual space with the code “NOPE01”." in reasons[0]
    assert "line 1" in reasons[1] and "line 1" in reasons[2]
    assert "already been launched" in reasons[4]
    assert contexts() == {"INF102": PanoptoFolder.objects.get(space=spaces["INF102"]).context_id}


def test_a_context_id_already_used_is_refused_in_the_file(spaces):
    used = PanoptoFolder.objects.create(space=spaces["INF102"])
    LaunchRecord.objects.create(
        stage=LaunchStage.AUTHORIZATION,
        outcome=LaunchOutcome.ACCEPTED,
        context_id="ctx-of-a-deleted-space",
    )
    data = f"MAT101,{used.context_id}\nMAT102,ctx-of-a-deleted-space\n".encode()
    result = existing_folders_import_csv(data=data)
    assert not result.imported
    assert [problem.reason for problem in result.problems] == [
        "The context id already belongs to the space “INF102”.",
        "The context id was already used by launches of another space.",
    ]
    assert contexts() == {"INF102": used.context_id}


def test_an_unreadable_file_is_refused_as_a_whole(spaces):
    with pytest.raises(CsvFileError, match="UTF-8"):
        existing_folders_import_csv(data=b"MAT101,\xe1\n")
    with pytest.raises(CsvFileError, match="no rows"):
        existing_folders_import_csv(data=b"space code,context id\n")


# --- the admin ---------------------------------------------------------------------------------


def upload(client, content: bytes):
    return client.post(
        reverse("admin:panopto_link_panoptofolder_import_existing"),
        {"file": SimpleUploadedFile("folders.csv", content, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_admin_imports_a_good_file(admin_client, spaces):
    page = admin_client.get(reverse("admin:panopto_link_panoptofolder_changelist"))
    assert reverse("admin:panopto_link_panoptofolder_import_existing") in page.content.decode()
    response = upload(admin_client, GOOD_FILE)
    assert response.status_code == 302
    assert len(contexts()) == 3


def test_the_admin_lists_every_bad_row_and_imports_nothing(admin_client, spaces):
    response = upload(admin_client, b"MAT101,ctx-1\nGHOST,ctx-2\nMAT102,ctx-1\n")
    assert response.status_code == 400
    body = response.content.decode()
    assert "GHOST | ctx-2" in body and body.count("<tr><td>") == 2
    # the page of the shared CSV import (admin/csv_import.html) with this import's own words
    assert "folders that already exist in Panopto" in body and "checked first" in body
    assert contexts() == {}


def test_the_import_page_is_not_for_ordinary_users(client, world):
    client.force_login(world.member)
    response = client.get(reverse("admin:panopto_link_panoptofolder_import_existing"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def change_page(admin_client, folder):
    return admin_client.get(
        reverse("admin:panopto_link_panoptofolder_change", args=[folder.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_folder_page_offers_an_existing_id_only_while_never_launched(admin_client, world):
    folder = world.folder()
    assert 'name="existing_context_id"' in change_page(admin_client, folder).content.decode()
    response = admin_client.post(
        reverse("admin:panopto_link_panoptofolder_change", args=[folder.pk]),
        {"is_enabled": "on", "existing_context_id": EXISTING},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    folder.refresh_from_db()
    assert folder.context_id == EXISTING and folder.is_created and folder.is_existing_folder
    assert 'name="existing_context_id"' not in change_page(admin_client, folder).content.decode()


def test_the_folder_page_says_why_an_existing_id_cannot_be_given(admin_client, world):
    folder_give_existing_context(space=world.subject, context_id=EXISTING)
    folder = world.folder()
    response = admin_client.post(
        reverse("admin:panopto_link_panoptofolder_change", args=[folder.pk]),
        {"is_enabled": "on", "existing_context_id": EXISTING},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "already belongs to the space “MAT101”" in response.content.decode()
    folder.refresh_from_db()
    assert folder.context_id != EXISTING and not folder.is_created


def test_a_new_folder_can_be_added_with_an_existing_id(admin_client, db):
    space = SpaceFactory(code="NEW101")
    response = admin_client.post(
        reverse("admin:panopto_link_panoptofolder_add"),
        {"space": space.pk, "is_enabled": "on", "existing_context_id": EXISTING},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert PanoptoFolder.objects.get(space=space).context_id == EXISTING


# --- the documented size on PostgreSQL (issue 20 finding 3) -----------------------------------
# 200,000 rows may name as many space codes; one `IN` naming more than 65,535 was refused by
# PostgreSQL, and the import answered the 503 of a database outage.

MANY = 70_000


def postgresql_or_skip() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's parameter limit (the PostgreSQL pass runs it)")


@pytest.mark.postgres
def test_a_file_of_70000_unknown_spaces_gets_the_page_listing_the_bad_rows(admin_client, spaces):
    postgresql_or_skip()
    data = "".join(f"NOSPACE{n:06d},ctx-{n}\n" for n in range(MANY)).encode()
    response = upload(admin_client, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{MANY} rows are invalid" in body
    assert "NOSPACE000000 | ctx-0" in body
    assert body.count("<tr><td>") == 200 and f"{MANY - 200} more rows to correct" in body
    assert not PanoptoFolder.objects.exists()


@pytest.mark.postgres
def test_a_file_of_70000_known_spaces_is_checked_row_by_row(db):
    """The spaces are found, and so are their folders: 70,000 of each looked up."""
    postgresql_or_skip()
    from virtualspaces.models import VirtualSpace

    created = VirtualSpace.objects.bulk_create(
        VirtualSpace(code=f"S{n:06d}", name=f"S{n}", space_type="subject") for n in range(MANY)
    )
    PanoptoFolder.objects.bulk_create(PanoptoFolder(space=space) for space in created)
    # Each context id holds a space: every row is checked against its folder, and refused.
    data = "".join(f"S{n:06d},bad id {n}\n" for n in range(MANY)).encode()
    result = existing_folders_import_csv(data=data)
    assert len(result.problems) == MANY
    assert all("No virtual space" not in problem.reason for problem in result.problems)

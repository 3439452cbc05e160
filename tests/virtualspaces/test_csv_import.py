import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, SpaceFactory, UserFactory
from virtualspaces.models import Membership, MembershipRole
from virtualspaces.services import MembershipCsvError, memberships_import_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "anna": UserFactory(username="ANNA01"),
        "bela": UserFactory(username="BELA02"),
        "cili": UserFactory(username="CILI03"),
        "math": SpaceFactory(code="MAT101"),
        "phys": SpaceFactory(code="FIZ101"),
    }


def memberships() -> set[tuple[str, str, str]]:
    return set(Membership.objects.values_list("user__username", "space__code", "role"))


GOOD_FILE = (
    b"user,space,role\n"
    b"ANNA01,MAT101,administrator\n"
    b"BELA02,MAT101,member\n"
    b"CILI03,FIZ101,guest member\n"
)


def test_all_good_rows_are_imported(people):
    result = memberships_import_csv(data=GOOD_FILE)
    assert result.imported and result.rows == 3 and result.created == 3
    assert memberships() == {
        ("ANNA01", "MAT101", "administrator"),
        ("BELA02", "MAT101", "member"),
        ("CILI03", "FIZ101", "guest_member"),
    }


def test_importing_the_same_file_twice_changes_nothing(people):
    memberships_import_csv(data=GOOD_FILE)
    before = list(Membership.objects.order_by("pk").values())
    result = memberships_import_csv(data=GOOD_FILE)
    assert result.imported and result.created == 0 and result.updated == 0
    assert result.unchanged == 3
    assert list(Membership.objects.order_by("pk").values()) == before


def test_hungarian_role_names_semicolons_and_a_bom_are_accepted(people):
    data = "\ufeffANNA01;MAT101;adminisztrátor\nBELA02;FIZ101;vendég tag\n".encode()
    result = memberships_import_csv(data=data)
    assert result.imported
    assert memberships() == {
        ("ANNA01", "MAT101", "administrator"),
        ("BELA02", "FIZ101", "guest_member"),
    }


def test_an_existing_membership_takes_the_files_role(people):
    MembershipFactory(user=people["anna"], space=people["math"], role=MembershipRole.MEMBER)
    result = memberships_import_csv(data=GOOD_FILE)
    assert result.updated == 1 and result.created == 2
    assert ("ANNA01", "MAT101", "administrator") in memberships()


def test_one_bad_row_means_nothing_is_written_and_that_row_is_reported(people):
    data = b"ANNA01,MAT101,administrator\nNOBODY,MAT101,member\nBELA02,MAT101,member\n"
    result = memberships_import_csv(data=data)
    assert not result.imported
    assert [(p.line, p.row[0]) for p in result.problems] == [(2, "NOBODY")]
    assert "NOBODY" in result.problems[0].reason
    assert Membership.objects.count() == 0


def test_every_bad_row_is_reported_with_its_reason(people):
    data = (
        b"ANNA01,NOPE99,member\n"
        b"BELA02,MAT101,owner\n"
        b"CILI03,MAT101\n"
        b"ANNA01,FIZ101,member\n"
        b"ANNA01,FIZ101,administrator\n"
    )
    result = memberships_import_csv(data=data)
    reasons = {p.line: p.reason for p in result.problems}
    assert set(reasons) == {1, 2, 3, 5}
    assert "NOPE99" in reasons[1]
    assert "owner" in reasons[2]
    assert "3 columns" in reasons[3]
    assert "line 4" in reasons[5]
    assert Membership.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"ANNA01,MAT101,member\n\xff\xfe\x00bad", "not UTF-8"),
        ("ANNA01,MAT101,member\n".encode("utf-16"), "not UTF-8"),
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"user,space,role\n", "no membership rows"),
        (b'ANNA01,"MAT101,member\n', "not valid CSV"),
        (b"ANNA01,MAT\x00101,member\n", "NUL"),
    ],
    ids=["latin-bytes", "utf-16", "empty", "blank", "header-only", "unclosed-quote", "nul"],
)
def test_unreadable_file_gives_a_clear_error_and_writes_nothing(people, data, message):
    with pytest.raises(MembershipCsvError, match=message):
        memberships_import_csv(data=data)
    assert Membership.objects.count() == 0


# --- the admin page --------------------------------------------------------------------------


def upload(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:virtualspaces_membership_import_csv"),
        {"file": SimpleUploadedFile("members.csv", content, content_type="text/csv")},
    )


def test_admin_page_imports_a_good_file(admin_client, people):
    page = admin_client.get(reverse("admin:virtualspaces_membership_changelist"))
    assert reverse("admin:virtualspaces_membership_import_csv") in page.content.decode()
    response = upload(admin_client, GOOD_FILE)
    assert response.status_code == 302
    assert len(memberships()) == 3


def test_admin_page_lists_every_bad_row_and_imports_nothing(admin_client, people):
    response = upload(admin_client, b"ANNA01,MAT101,member\nGHOST,MAT101,member\nX,Y,Z\n")
    assert response.status_code == 400
    body = response.content.decode()
    assert "GHOST" in body and "X | Y | Z" in body
    assert body.count("<tr><td>") == 2
    assert Membership.objects.count() == 0


def test_admin_page_explains_a_non_utf8_file(admin_client, people):
    response = upload(admin_client, "ANNA01,MAT101,tag\n".encode("cp1250") + b"\xe1\n")
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert Membership.objects.count() == 0


def test_admin_page_is_not_for_ordinary_users(client, people):
    client.force_login(people["anna"])
    response = client.get(reverse("admin:virtualspaces_membership_import_csv"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_import_locks_only_membership_rows(people):
    """FOR UPDATE on a query that joins spaces would lock the space rows that every launch
    record's foreign-key check needs: the PostgreSQL race test deadlocked on it once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (the PostgreSQL pass runs it)")
    with CaptureQueriesContext(connection) as queries:
        memberships_import_csv(data=GOOD_FILE)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert "JOIN" not in locking[0]
    assert 'FOR UPDATE OF "virtualspaces_membership"' in locking[0]


# --- the documented size on PostgreSQL (issue 20 finding 3) -----------------------------------
# A file may have 200,000 rows (core.csv_rows.CSV_MAX_ROWS), and so as many distinct users or
# space codes. PostgreSQL takes at most 65,535 parameters a statement: one `IN` naming them all
# was refused, and the import answered the 503 of a database outage.

MANY = 70_000


def postgresql_or_skip() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's parameter limit (the PostgreSQL pass runs it)")


@pytest.mark.postgres
def test_a_file_of_70000_unknown_users_gets_the_page_listing_the_bad_rows(admin_client, people):
    postgresql_or_skip()
    data = "".join(f"NOBODY{n:06d},MAT101,member\n" for n in range(MANY)).encode()
    response = upload(admin_client, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{MANY}" in body  # rows are invalid (in the page's language)
    assert "NOBODY000000 | MAT101 | member" in body
    # The page lists a bounded number of them and says how many more there are.
    assert body.count("<tr><td>") == 200
    assert 'id="import-problems-not-shown"' in body and f"{MANY - 200}" in body
    assert Membership.objects.count() == 0


@pytest.mark.postgres
def test_a_file_of_70000_distinct_users_and_spaces_is_imported(people):
    postgresql_or_skip()
    from django.contrib.auth import get_user_model

    from virtualspaces.models import VirtualSpace

    get_user_model().objects.bulk_create(
        get_user_model()(username=f"U{n:06d}") for n in range(MANY)
    )
    VirtualSpace.objects.bulk_create(
        VirtualSpace(code=f"S{n:06d}", name=f"S{n}", space_type="subject") for n in range(MANY)
    )
    data = "".join(f"U{n:06d},S{n:06d},member\n" for n in range(MANY)).encode()
    # One existing membership among them: the rows to write are locked, in chunks, first.
    MembershipFactory(
        user=get_user_model().objects.get(username="U069999"),
        space=VirtualSpace.objects.get(code="S069999"),
        role=MembershipRole.ADMINISTRATOR,
    )
    result = memberships_import_csv(data=data)
    assert result.imported and (result.created, result.updated) == (MANY - 1, 1)
    assert Membership.objects.filter(role=MembershipRole.MEMBER).count() == MANY


# --- the first column: a Neptun code or a username (issue 25 item 8) ---------------------------


def test_a_neptun_code_is_accepted_and_the_result_says_it_matched_the_neptun_code(people):
    student = UserFactory(username="demo.student", neptun_code="HK7Q2D")
    result = memberships_import_csv(data=b"HK7Q2D,MAT101,member\nANNA01,MAT101,administrator\n")
    assert result.imported, result.problems
    assert Membership.objects.filter(user=student, space=people["math"]).exists()
    assert (result.matched_by_neptun_code, result.matched_by_username) == (1, 1)


def test_a_username_that_is_also_the_persons_neptun_code_counts_as_the_neptun_code(people):
    UserFactory(username="XY12AB", neptun_code="XY12AB")
    result = memberships_import_csv(data=b"XY12AB,MAT101,member\n")
    assert result.imported
    assert (result.matched_by_neptun_code, result.matched_by_username) == (1, 0)


def test_an_identifier_naming_two_people_is_refused_and_nothing_is_written(people):
    """One person's Neptun code is another's username: choosing either could give the wrong
    person access, so the row is refused with both names."""
    UserFactory(username="QQ11ZZ", first_name="Egyik", last_name="Ember")
    UserFactory(username="masik", neptun_code="QQ11ZZ", first_name="Másik", last_name="Ember")
    result = memberships_import_csv(data=b"QQ11ZZ,MAT101,member\nANNA01,MAT101,member\n")
    assert not result.imported
    [problem] = result.problems
    assert problem.line == 1 and "QQ11ZZ" in problem.reason
    assert "Neptun code" in problem.reason and "username" in problem.reason
    assert Membership.objects.count() == 0


def test_an_unknown_identifier_says_neither_a_neptun_code_nor_a_username_matched(people):
    result = memberships_import_csv(data=b"HK7Q2D,MAT101,member\n")
    [problem] = result.problems
    assert "Neptun code" in problem.reason and "username" in problem.reason


def test_admin_page_says_how_many_rows_matched_a_neptun_code(admin_client, people):
    UserFactory(username="demo.student", neptun_code="HK7Q2D")
    response = upload(admin_client, b"HK7Q2D,MAT101,member\nANNA01,FIZ101,member\n")
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    # The admin speaks the portal's default language, Hungarian.
    assert "1 Neptun-kód, 1 felhasználónév alapján" in page


# --- replace mode: the file is the whole of each listed space's memberships (issue 24 item 5) --


@pytest.fixture
def term(people):
    """MAT101: Anna administers, Béla and Cili are members; FIZ101: Cili is a member."""
    MembershipFactory(user=people["anna"], space=people["math"], role=MembershipRole.ADMINISTRATOR)
    MembershipFactory(user=people["bela"], space=people["math"], role=MembershipRole.MEMBER)
    MembershipFactory(user=people["cili"], space=people["math"], role=MembershipRole.MEMBER)
    MembershipFactory(user=people["cili"], space=people["phys"], role=MembershipRole.MEMBER)
    return people


# Béla left MAT101, Cili became a guest member there, Dóra joined; FIZ101 is not in the file.
TERM_EXPORT = b"ANNA01,MAT101,administrator\nCILI03,MAT101,guest member\nDORA04,MAT101,member\n"


def test_replace_preview_counts_per_space_and_writes_nothing(term):
    from virtualspaces.services import memberships_csv_preview

    UserFactory(username="DORA04")
    before = memberships()
    preview = memberships_csv_preview(data=TERM_EXPORT, replace=True)
    assert preview.imported
    assert (preview.created, preview.updated, preview.ended, preview.unchanged) == (1, 1, 1, 1)
    [space] = preview.spaces
    assert (space.code, space.added, space.changed, space.ended, space.unchanged) == (
        "MAT101",
        1,
        1,
        1,
        1,
    )
    assert memberships() == before


def test_replace_ends_the_listed_spaces_other_memberships_and_leaves_other_spaces(term):
    UserFactory(username="DORA04")
    result = memberships_import_csv(data=TERM_EXPORT, replace=True)
    assert result.imported and result.ended == 1
    assert memberships() == {
        ("ANNA01", "MAT101", "administrator"),
        ("CILI03", "MAT101", "guest_member"),
        ("DORA04", "MAT101", "member"),
        ("CILI03", "FIZ101", "member"),  # FIZ101 is not in the file: untouched
    }


def test_without_replace_the_same_file_ends_nothing(term):
    UserFactory(username="DORA04")
    result = memberships_import_csv(data=TERM_EXPORT)
    assert result.ended == 0
    assert ("BELA02", "MAT101", "member") in memberships()


def test_replace_ends_each_membership_by_a_delete_that_sends_post_delete(term):
    """What ends with a membership (Panopto's access taken back) hooks on post_delete."""
    from django.db.models.signals import post_delete

    UserFactory(username="DORA04")
    ended = []

    def receiver(sender, instance, **kwargs):
        ended.append((instance.user.username, instance.space.code))

    post_delete.connect(receiver, sender=Membership)
    try:
        memberships_import_csv(data=TERM_EXPORT, replace=True)
    finally:
        post_delete.disconnect(receiver, sender=Membership)
    assert ended == [("BELA02", "MAT101")]


def test_a_bad_row_in_a_replace_ends_nothing(term):
    result = memberships_import_csv(data=TERM_EXPORT, replace=True)  # DORA04 does not exist
    assert not result.imported
    assert ("BELA02", "MAT101", "member") in memberships()


def test_a_confirmed_preview_writes_nothing_when_the_memberships_changed_since(term):
    from virtualspaces.services import MembershipCsvPlanChanged, memberships_csv_preview

    UserFactory(username="DORA04")
    preview = memberships_csv_preview(data=TERM_EXPORT, replace=True)
    # Meanwhile someone adds a member in the admin: the preview's "1 ends" would be wrong.
    MembershipFactory(user=UserFactory(username="EMIL05"), space=term["math"])
    before = memberships()
    with pytest.raises(MembershipCsvPlanChanged) as changed:
        memberships_import_csv(data=TERM_EXPORT, replace=True, expected_digest=preview.plan_digest)
    assert changed.value.result.ended == 2
    assert memberships() == before
    result = memberships_import_csv(
        data=TERM_EXPORT, replace=True, expected_digest=changed.value.result.plan_digest
    )
    assert result.ended == 2


def test_replace_preview_warns_of_a_space_left_without_administrator(term):
    from virtualspaces.services import memberships_csv_preview

    preview = memberships_csv_preview(data=b"BELA02,MAT101,member\n", replace=True)
    assert [space.code for space in preview.spaces_without_administrator] == ["MAT101"]


def replace_upload(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:virtualspaces_membership_import_csv"),
        {
            "file": SimpleUploadedFile("term.csv", content, content_type="text/csv"),
            "mode": "replace",
        },
    )


def test_admin_replace_shows_a_preview_then_writes_on_confirmation(admin_client, term):
    UserFactory(username="DORA04")
    before = memberships()
    preview = replace_upload(admin_client, TERM_EXPORT)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'id="replace-preview"' in body and "MAT101" in body
    assert memberships() == before  # nothing written by the preview
    confirm = preview.context["confirm_form"].initial
    response = admin_client.post(
        reverse("admin:virtualspaces_membership_import_csv"),
        {"token": confirm["token"], "digest": confirm["digest"]},
    )
    assert response.status_code == 302
    assert ("BELA02", "MAT101", "member") not in memberships()
    # The token is used up: posting it again imports nothing and says why.
    again = admin_client.post(
        reverse("admin:virtualspaces_membership_import_csv"),
        {"token": confirm["token"], "digest": confirm["digest"]},
    )
    assert again.status_code == 400


def test_admin_confirmation_shows_the_new_preview_when_memberships_changed(admin_client, term):
    UserFactory(username="DORA04")
    preview = replace_upload(admin_client, TERM_EXPORT)
    confirm = preview.context["confirm_form"].initial
    MembershipFactory(user=UserFactory(username="EMIL05"), space=term["math"])
    response = admin_client.post(
        reverse("admin:virtualspaces_membership_import_csv"),
        {"token": confirm["token"], "digest": confirm["digest"]},
    )
    assert response.status_code == 409
    assert response.context["result"].ended == 2
    assert ("BELA02", "MAT101", "member") in memberships()


def test_admin_confirmation_by_another_admin_or_a_made_up_token_is_refused(
    admin_client, client, term
):
    UserFactory(username="DORA04")
    preview = replace_upload(admin_client, TERM_EXPORT)
    confirm = preview.context["confirm_form"].initial
    other = UserFactory(username="it2", is_staff=True, is_superuser=True)
    client.force_login(other)
    for token in (confirm["token"], "made-up"):
        response = client.post(
            reverse("admin:virtualspaces_membership_import_csv"),
            {"token": token, "digest": confirm["digest"]},
        )
        assert response.status_code == 400
    assert ("BELA02", "MAT101", "member") in memberships()


def test_the_helpdesk_may_add_by_csv_but_not_replace(client, term):
    """Replacing ends memberships: the helpdesk (add and change, no delete) is refused."""
    from panopto_link.staff import helpdesk_group_ensure

    UserFactory(username="DORA04")
    helpdesk = UserFactory(username="helpdesk1", is_staff=True)
    helpdesk.groups.add(helpdesk_group_ensure())
    client.force_login(helpdesk)
    refused = replace_upload(client, TERM_EXPORT)
    assert refused.status_code == 400
    assert "confirm_form" not in refused.context or refused.context["confirm_form"] is None
    assert ("BELA02", "MAT101", "member") in memberships()
    # A confirmation posted by hand is refused too.
    forged = client.post(
        reverse("admin:virtualspaces_membership_import_csv"), {"token": "x", "digest": "y"}
    )
    assert forged.status_code == 403
    added = upload(client, TERM_EXPORT)
    assert added.status_code == 302
    assert ("DORA04", "MAT101", "member") in memberships()
    assert ("BELA02", "MAT101", "member") in memberships()

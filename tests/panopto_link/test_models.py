import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panopto_link.models import (
    FolderLink,
    FolderState,
    PanoptoFolder,
    PanoptoLicence,
    PanoptoRegistration,
)
from panopto_link.permissions import registration_complete
from panopto_link.selectors import panopto_setting
from panopto_link.services import folder_ensure, folder_link_create
from tests.factories import CourseFactory, FolderFactory, LicenceFactory, SpaceFactory
from virtualspaces.models import SpaceType, VirtualSpace

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


# --- licence ---------------------------------------------------------------------------------


def test_no_licence_means_not_valid(fixed_today):
    assert panopto_setting().licence_valid is False


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "expected"),
    [
        (TODAY, TODAY + datetime.timedelta(days=90), True),  # first day
        (TODAY - datetime.timedelta(days=90), TODAY, True),  # last day
        (TODAY, TODAY, True),  # a one-day licence
        (TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=90), False),
        (TODAY - datetime.timedelta(days=90), TODAY - datetime.timedelta(days=1), False),
    ],
    ids=["first-day", "last-day", "single-day", "starts-tomorrow", "ended-yesterday"],
)
def test_valid_licence_today_at_the_boundaries(fixed_today, valid_from, valid_until, expected):
    LicenceFactory(valid_from=valid_from, valid_until=valid_until)
    assert panopto_setting().licence_valid is expected


def test_disabled_licence_is_not_valid(fixed_today):
    LicenceFactory(valid_from=TODAY, valid_until=TODAY, is_enabled=False)
    assert panopto_setting().licence_valid is False


def test_one_valid_renewal_among_expired_ones_is_enough(fixed_today):
    LicenceFactory(valid_from=TODAY.replace(year=2024), valid_until=TODAY.replace(year=2025))
    LicenceFactory(valid_from=TODAY, valid_until=TODAY.replace(year=2027))
    assert panopto_setting().licence_valid is True


def test_licence_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        PanoptoLicence.objects.create(valid_from=TODAY, valid_until=TODAY.replace(year=2025))


# --- registration ----------------------------------------------------------------------------


def test_empty_registration_reports_every_required_field():
    registration = PanoptoRegistration.objects.create(id=1)
    assert registration.missing_fields() == [
        "client_id",
        "deployment_id",
        "login_url",
        "launch_url",
        "redirect_uris",
        "jwks_url",
    ]
    assert not registration_complete(panopto_setting().registration_facts)


def test_registration_reports_only_what_is_missing(registration):
    registration.deployment_id = ""
    registration.redirect_uris = "   \n  "
    assert registration.missing_fields() == ["deployment_id", "redirect_uris"]
    assert "deployment id" in registration.missing_field_labels()


def test_complete_registration_reports_nothing(registration):
    assert registration.missing_fields() == []
    assert registration_complete(panopto_setting().registration_facts)
    registration.is_enabled = False
    registration.save()
    assert not registration_complete(panopto_setting().registration_facts)


def test_registration_keeps_redirect_uris_one_per_line(registration):
    registration.redirect_uris = "https://a.example/launch\r\n\nhttps://b.example/launch \n"
    assert registration.redirect_uri_list == [
        "https://a.example/launch",
        "https://b.example/launch",
    ]


def test_only_one_registration_row_can_exist(registration):
    with pytest.raises(IntegrityError), transaction.atomic():
        PanoptoRegistration.objects.create(id=2, client_id="other")


# --- folders ---------------------------------------------------------------------------------


def test_folder_gets_an_opaque_context_id_once():
    folder = folder_ensure(space=SpaceFactory(code="NPUINF101"))
    assert len(folder.context_id) == 32
    assert "NPUINF101" not in folder.context_id
    again = folder_ensure(space=folder.space)
    assert again.pk == folder.pk and again.context_id == folder.context_id


def used(folder: PanoptoFolder, how: str) -> PanoptoFolder:
    """The folder after a launch used its context id: its hint issued, or its context created."""
    if how == "hint issued":
        PanoptoFolder.objects.filter(pk=folder.pk).update(context_used_at=timezone.now())
    else:
        PanoptoFolder.objects.filter(pk=folder.pk).update(
            state=FolderState.CREATED, created_at=timezone.now()
        )
    folder.refresh_from_db()
    return folder


@pytest.mark.parametrize("how", ["hint issued", "context created"])
def test_a_used_context_id_cannot_change_through_the_orm(how):
    folder = used(FolderFactory(), how)
    folder.context_id = "a-new-id"
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        folder.save()


@pytest.mark.parametrize("how", ["hint issued", "context created"])
def test_a_used_context_id_cannot_change_through_a_bulk_update(how):
    folder = used(FolderFactory(), how)
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(context_id="bulk")
    folder.refresh_from_db()
    assert folder.context_id != "bulk"


def test_the_resource_link_id_never_changes_even_before_a_launch():
    folder = FolderFactory()
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(resource_link_id="bulk")
    folder.refresh_from_db()
    assert folder.resource_link_id != "bulk"


def test_an_unused_context_id_may_change_in_the_database():
    """Before any launch named it, the database lets the id change: that is how a folder is
    given an existing Panopto folder's context id (services.folder_give_existing_context)."""
    folder = FolderFactory()
    PanoptoFolder.objects.filter(pk=folder.pk).update(context_id="existing-1")
    folder.refresh_from_db()
    assert folder.context_id == "existing-1"


def test_a_used_context_id_cannot_be_unlocked_by_clearing_when_it_was_used():
    folder = used(FolderFactory(), "hint issued")
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(context_used_at=None)
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(context_used_at=None, context_id="other")


def test_other_folder_fields_can_change():
    folder = FolderFactory()
    original = folder.context_id
    PanoptoFolder.objects.filter(pk=folder.pk).update(
        state=FolderState.CREATED, created_at=timezone.now(), is_enabled=False
    )
    folder.refresh_from_db()
    assert folder.is_created and not folder.is_enabled and folder.context_id == original


def test_created_folder_must_say_when():
    folder = FolderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PanoptoFolder.objects.filter(pk=folder.pk).update(state=FolderState.CREATED)


# --- links -----------------------------------------------------------------------------------


def test_course_can_link_another_spaces_folder():
    course, subject = CourseFactory(), SpaceFactory()
    link = folder_link_create(course=course, linked_space=subject)
    assert str(link) == f"{course.code} → {subject.code}"
    assert PanoptoFolder.objects.filter(space=subject).exists()


@pytest.mark.parametrize("space_type", [SpaceType.SUBJECT, SpaceType.OTHER])
def test_subject_or_other_space_cannot_link_folders(space_type):
    space, other = SpaceFactory(space_type=space_type), SpaceFactory()
    with pytest.raises(ValidationError, match="Only a course space"):
        folder_link_create(course=space, linked_space=other)
    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError, match="only a course space"), transaction.atomic():
        FolderLink.objects.create(course=space, linked_space=other)
    assert FolderLink.objects.count() == 0


def test_course_with_links_cannot_become_a_subject():
    link = folder_link_create(course=CourseFactory(), linked_space=SpaceFactory())
    with pytest.raises(IntegrityError, match="only a course space"), transaction.atomic():
        VirtualSpace.objects.filter(pk=link.course_id).update(
            space_type=SpaceType.SUBJECT, semester=""
        )


def test_course_cannot_link_itself_or_twice():
    course, subject = CourseFactory(), SpaceFactory()
    with pytest.raises(ValidationError):
        folder_link_create(course=course, linked_space=course)
    folder_link_create(course=course, linked_space=subject)
    with pytest.raises(ValidationError, match="already linked"):
        folder_link_create(course=course, linked_space=subject)

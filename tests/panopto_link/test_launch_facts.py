"""The launch's one hand-written read (selectors.launch_facts) answers exactly what the ORM's
three queries answer (panopto_setting, space_panopto), in every situation the SPEC §3 table
distinguishes; run on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panopto_link.models import PanoptoRegistration
from panopto_link.selectors import SpacePanopto, launch_facts, panopto_setting, space_panopto
from tests.factories import FolderLinkFactory, MembershipFactory, SpaceFactory, UserFactory
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db


def summary(target: SpacePanopto | None):
    """What a launch uses of a space's entries, comparable across the two reads."""
    if target is None:
        return None
    return (
        target.space.pk,
        target.space.name,
        target.access,
        [
            (entry.owner.pk, entry.folder.context_id if entry.folder else None, entry.decision)
            for entry in (target.folder, *target.linked)
        ],
    )


def both(user, space_pk):
    with CaptureQueriesContext(connection) as one:
        setting, target = launch_facts(user=user, space_pk=space_pk)
    assert len(one) == 1
    expected_setting = panopto_setting()
    assert (setting.licence_valid, setting.registration_facts) == (
        expected_setting.licence_valid,
        expected_setting.registration_facts,
    )
    expected = space_panopto(user=user, space_pk=space_pk, setting=expected_setting)
    assert summary(target) == summary(expected)
    return setting, target


@pytest.mark.parametrize(
    "who", ["admin", "member", "guest_member", "public_guest", "outsider_private"]
)
def test_the_one_read_decides_like_the_orm_for_every_kind_of_user(world, who):
    world.create_context(world.subject)
    if who == "outsider_private":
        world.course.is_public = False
        world.course.save()
        user = world.public_guest
    else:
        user = getattr(world, who)
    setting, target = both(user, world.course.pk)
    assert target is not None and len(target.linked) == 1
    assert setting.registration.client_id == "panopto-client-1"


def test_roles_across_linked_spaces_and_folders_with_and_without_rows(world):
    other = SpaceFactory(code="FIZ101", name="Fizika")
    FolderLinkFactory(course=world.course, linked_space=other, position=0)
    MembershipFactory(user=world.member, space=other, role=MembershipRole.ADMINISTRATOR)
    world.create_context()  # the course's folder exists; the subject's and FIZ101's do not
    _setting, target = both(world.member, world.course.pk)
    # By position, then name: "Analízis I" before "Fizika".
    assert [entry.owner.code for entry in target.linked] == ["MAT101", "FIZ101"]
    assert target.linked[1].decision.creates_context  # the member administers FIZ101
    assert not target.linked[0].decision.active  # the subject's folder is not created yet


def test_without_a_space_a_registration_or_a_licence(licence):
    user = UserFactory()
    both(user, 999_999)
    space = SpaceFactory(is_public=True)
    both(user, space.pk)
    licence.valid_until = licence.valid_from = timezone.localdate() - datetime.timedelta(days=1)
    licence.save()
    setting, _target = both(user, space.pk)
    assert not setting.licence_valid and setting.registration is None
    assert not PanoptoRegistration.objects.exists()


def test_values_pass_the_fields_converters(world):
    folder = world.create_context()
    _setting, target = launch_facts(user=world.admin, space_pk=world.course.pk)
    own = target.folder.folder
    assert own.is_created is True and own.is_enabled is True
    assert own.created_at == folder.created_at and own.created_at.tzinfo is not None
    assert target.space.created_at == world.course.created_at

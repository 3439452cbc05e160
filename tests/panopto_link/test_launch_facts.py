"""The hand-written reads of the launch and the pages (selectors.launch_facts, space_panopto,
user_spaces_panopto) answer exactly what the ORM's queries answer (orm_reference.py), in every
situation the SPEC §3 table distinguishes; run on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panopto_link.models import PanoptoRegistration
from panopto_link.selectors import (
    SpacePanopto,
    launch_facts,
    panopto_setting,
    space_panopto,
    user_spaces_panopto,
)
from tests.factories import FolderLinkFactory, MembershipFactory, SpaceFactory, UserFactory
from tests.panopto_link.orm_reference import orm_space_panopto, orm_user_spaces_panopto
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
    expected = orm_space_panopto(user=user, space_pk=space_pk, setting=expected_setting)
    assert summary(target) == summary(expected)
    with CaptureQueriesContext(connection) as one:
        assert summary(space_panopto(user=user, space_pk=space_pk, setting=setting)) == summary(
            expected
        )
    assert len(one) == 1
    for semester in ("", "2026/27/1"):
        with CaptureQueriesContext(connection) as one:
            mine = user_spaces_panopto(user=user, setting=setting, semester=semester)
        assert len(one) == 1
        reference = orm_user_spaces_panopto(user=user, setting=setting, semester=semester)
        assert [summary(item) for item in mine] == [summary(item) for item in reference]
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


@pytest.mark.parametrize("space_pk", [0, 2**63, 10**30])
def test_an_id_no_row_can_have_names_no_space(licence, space_pk):
    """Found by the fuzzer: a URL naming an id beyond bigint reached the hand-written read as a
    parameter the database driver refuses (a 500)."""
    setting, target = launch_facts(user=UserFactory(), space_pk=space_pk)
    assert target is None and setting.licence_valid


def test_a_launch_url_naming_an_id_too_large_answers_404(client, licence):
    client.force_login(UserFactory())
    for method in ("get", "post"):
        response = getattr(client, method)(f"/panopto/launch/{10**30}/")
        assert response.status_code == 404, (method, response.status_code)


def test_asked_for_another_client_the_one_read_reads_the_registration_and_no_space(
    world, django_assert_num_queries
):
    """The platform asks Panopto with the client id of the request (issue 22): when it is not
    Panopto's, the read answers the registration without the space; when it is, the same one
    statement reads the space as before. Without a registration no space is read either."""
    client_id = panopto_setting().registration.client_id
    with django_assert_num_queries(1):
        setting, target = launch_facts(
            user=world.member, space_pk=world.course.pk, client_id="another-tool"
        )
    assert setting.registration.client_id == client_id and target is None
    with django_assert_num_queries(1):
        setting, target = launch_facts(
            user=world.member, space_pk=world.course.pk, client_id=client_id
        )
    assert target is not None and target.space == world.course
    assert target.access.membership_role == "member"
    expected = orm_space_panopto(
        user=world.member, space_pk=world.course.pk, setting=panopto_setting()
    )
    assert target == expected

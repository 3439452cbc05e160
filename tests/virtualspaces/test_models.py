import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import CourseFactory, MembershipFactory, SpaceFactory, UserFactory
from virtualspaces.models import Membership, MembershipRole, SpaceType, VirtualSpace
from virtualspaces.services import membership_set, space_create

pytestmark = pytest.mark.django_db


def test_duplicate_membership_is_refused_by_the_database():
    membership = MembershipFactory(role=MembershipRole.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=membership.user, space=membership.space, role=MembershipRole.ADMINISTRATOR
        )
    assert Membership.objects.count() == 1


def test_duplicate_membership_is_refused_by_validation():
    membership = MembershipFactory()
    duplicate = Membership(user=membership.user, space=membership.space, role="guest_member")
    with pytest.raises(ValidationError, match="already has a membership"):
        duplicate.full_clean()


def test_membership_set_changes_the_one_row_instead_of_adding_another():
    user, space = UserFactory(), SpaceFactory()
    membership_set(user=user, space=space, role=MembershipRole.MEMBER)
    membership_set(user=user, space=space, role=MembershipRole.ADMINISTRATOR)
    assert list(Membership.objects.values_list("role", flat=True)) == ["administrator"]


def test_unknown_role_is_refused_by_the_database():
    user, space = UserFactory(), SpaceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, space=space, role="owner")


def test_course_needs_a_semester():
    with pytest.raises(ValidationError, match="needs a semester"):
        space_create(name="Kurzus", code="K1", space_type=SpaceType.COURSE)
    with pytest.raises(IntegrityError), transaction.atomic():
        VirtualSpace.objects.create(name="Kurzus", code="K1", space_type=SpaceType.COURSE)


def test_only_a_course_belongs_to_a_subject():
    subject = SpaceFactory()
    with pytest.raises(ValidationError):
        space_create(name="Klub", code="O1", space_type=SpaceType.OTHER, subject=subject)
    course = space_create(
        name="Kurzus", code="K1", space_type=SpaceType.COURSE, semester="2026/27/1", subject=subject
    )
    assert list(subject.courses.all()) == [course]


def test_str_of_every_model_names_the_thing():
    membership = MembershipFactory(space=CourseFactory(code="C-1"), user__username="ABC123")
    assert "C-1" in str(membership.space)
    assert "ABC123" in str(membership) and "C-1" in str(membership)

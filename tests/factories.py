"""factory_boy factories for the domain; every test builds only what it needs."""

import datetime

import factory
from django.utils import timezone

from panopto_link.models import FolderLink, PanoptoFolder, PanoptoLicence, PanoptoRegistration
from portal.models import User
from virtualspaces.models import Membership, MembershipRole, SpaceType, VirtualSpace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"U{n:05d}")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Teszt{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username.lower()}@example.edu")
    password = factory.django.Password("secret-pass-1")


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VirtualSpace

    name = factory.Sequence(lambda n: f"Tárgy {n}")
    code = factory.Sequence(lambda n: f"SP{n:05d}")
    space_type = SpaceType.SUBJECT
    semester = ""
    is_public = False


class CourseFactory(SpaceFactory):
    space_type = SpaceType.COURSE
    semester = "2026/27/1"
    name = factory.Sequence(lambda n: f"Kurzus {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    space = factory.SubFactory(SpaceFactory)
    role = MembershipRole.MEMBER


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanoptoFolder

    space = factory.SubFactory(SpaceFactory)


class FolderLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FolderLink

    course = factory.SubFactory(CourseFactory)
    linked_space = factory.SubFactory(SpaceFactory)


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanoptoLicence

    is_enabled = True
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanoptoRegistration
        django_get_or_create = ("id",)

    id = 1
    client_id = "panopto-client-1"
    deployment_id = "deployment-1"
    login_url = "https://panopto.example.com/Panopto/oidc/login"
    launch_url = "https://panopto.example.com/Panopto/LTI/LTI13.aspx"
    redirect_uris = "https://panopto.example.com/Panopto/LTI/LTI13.aspx"
    jwks_url = "https://panopto.example.com/Panopto/LTI/jwks"
    site_url = "https://panopto.example.com"

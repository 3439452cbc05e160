"""What the fault tests' app server holds: a licence, the registration, a course with its
administrator and a member who sign in with a password, its folder's context created.
Run inside the server's settings: `manage.py shell -c "from tests.faults.seed import seed;
seed()"`; prints the course's id."""

import json

from django.utils import timezone

from panopto_link.keys import keys_ensure
from panopto_link.models import FolderState
from tests.factories import (
    CourseFactory,
    FolderFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
)
from virtualspaces.models import MembershipRole

PASSWORD = "fault-test-password"


def seed() -> None:
    LicenceFactory()
    RegistrationFactory()
    course = CourseFactory(code="HIBA101-EA", name="Hibatűrés – előadás")
    FolderFactory(space=course, state=FolderState.CREATED, created_at=timezone.now())
    for username, role in (("OKTATO", MembershipRole.ADMINISTRATOR), ("TAG001", "member")):
        user = UserFactory(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        MembershipFactory(user=user, space=course, role=role)
    # The target of password guesses, whom no other fault test signs in: a count kept in an app
    # process while Redis was down must not lock out the next test's users.
    guessed = UserFactory(username="GUESSED")
    guessed.set_password(PASSWORD)
    guessed.save(update_fields=["password"])
    keys_ensure()
    print(json.dumps({"course": course.pk}))

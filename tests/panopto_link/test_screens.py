"""SPEC §3 on the screens: every cell of the who-sees-what table, on a space's Home screen and
on Studies → Information → Panopto, in Hungarian and English."""

import pytest
from django.urls import reverse
from django.utils import timezone

from panopto_link.models import FolderState
from tests.factories import (
    FolderFactory,
    LicenceFactory,
    MembershipFactory,
    RegistrationFactory,
    SpaceFactory,
    UserFactory,
)
from tests.html import parse
from virtualspaces.models import MembershipRole

pytestmark = pytest.mark.django_db

LANGUAGES = ["hu", "en"]

TEXT = {
    "button": {"hu": "Tovább a Panopto-rendszerbe", "en": "Continue to the Panopto system"},
    "registration incomplete": {
        "hu": "A Panopto még nem érhető el: a portál Panopto-kapcsolata nincs teljesen "
        "beállítva. Kérjük, forduljon az informatikai rendszergazdákhoz.",
        "en": "Panopto is not available yet: the Panopto connection of the portal is not fully "
        "configured. Please contact the IT administrators.",
    },
    "folder not enabled": {
        "hu": "Ebben a virtuális térben a Panopto nem érhető el: a tér Panopto-mappája nincs "
        "engedélyezve.",
        "en": "Panopto is not available for this virtual space: its Panopto folder is not enabled.",
    },
    "not created": {
        "hu": "Akkor érhető el, ha a tér oktatója már megnyitotta a Panopto-mappát.",
        "en": "Available once the lecturer has opened the Panopto folder.",
    },
    "creator": {"hu": "Létrehozóként lép be.", "en": "You will enter as a Creator."},
    "viewer": {"hu": "Megtekintőként lép be.", "en": "You will enter as a Viewer."},
    "guest viewer": {
        "hu": "Megtekintőként lép be, a tér vendégeként.",
        "en": "You will enter as a Viewer, as a guest of the space.",
    },
    "first click": {
        "hu": "Az első belépése létrehozza a tér Panopto-mappáját.",
        "en": "Your first visit creates the space's Panopto folder.",
    },
    "first click linked": {
        "hu": "Az első belépése létrehozza ennek a Panopto-mappáját: Analízis I.",
        "en": "Your first visit creates the Panopto folder of Analízis I.",
    },
    "state created": {"hu": "Megnyitva", "en": "Created"},
    "state not created": {"hu": "Még nincs megnyitva", "en": "Not opened yet"},
    "state not enabled": {"hu": "Nincs engedélyezve", "en": "Not enabled"},
}

MEMBERSHIP_OF = {
    "administrator": MembershipRole.ADMINISTRATOR,
    "member": MembershipRole.MEMBER,
    "guest member": MembershipRole.GUEST_MEMBER,
}
WHO_SEES_THE_SPACE = [*MEMBERSHIP_OF, "guest of a public space"]
STATES = ["no licence", "registration incomplete", "folder not enabled", "not created", "created"]


def folder_kwargs(state: str) -> dict:
    created = {"state": FolderState.CREATED, "created_at": timezone.now()}
    if state == "not created":
        return {}
    if state == "folder not enabled":
        return {**created, "is_enabled": False}
    return created


def build(who: str, state: str):
    """One space in one SPEC §3 state and one user standing in it as `who`."""
    if state != "no licence":
        LicenceFactory()
    if state == "registration incomplete":
        RegistrationFactory(client_id="", jwks_url="")
    else:
        RegistrationFactory()
    space = SpaceFactory(is_public=who == "guest of a public space")
    FolderFactory(space=space, **folder_kwargs(state))
    user = UserFactory()
    if who in MEMBERSHIP_OF:
        MembershipFactory(user=user, space=space, role=MEMBERSHIP_OF[who])
    return space, user


def get(client, url: str, language: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def folder_block(document, page_space, owner):
    return document.by_id(f"panopto-{page_space.pk}-{owner.pk}")


def launch_button(block):
    return block.find("button", type="submit")


def assert_inactive_with_message(document, block, message: str) -> None:
    button = launch_button(block)
    assert button.attrs.get("aria-disabled") == "true"
    # aria-disabled, not disabled: the button stays focusable and describes itself by its reason,
    # which is text beside it (issue 25: not a tooltip seen only on hover, focus or tap).
    assert "disabled" not in button.attrs
    reason = document.by_id(button.attrs["aria-describedby"])
    assert reason.attrs.get("class") == "launch-reason" and "role" not in reason.attrs
    assert reason.text == message
    feedback = document.by_id(button.attrs["data-feedback"])
    assert feedback.attrs.get("role") == "status"
    assert block.find(class_="launch__role") is None


def assert_active_with_role(document, block, role_text: str) -> None:
    button = launch_button(block)
    assert "aria-disabled" not in button.attrs and "disabled" not in button.attrs
    described_by = button.attrs["aria-describedby"].split()
    assert document.by_id(described_by[0]).text == role_text
    assert block.find(class_="launch-reason") is None


# --- the Home screen, every cell -------------------------------------------------------------


def expected_cell(who: str, state: str) -> tuple[bool, str, str | None]:
    """(active, text beside the button, hint) as SPEC §3 states them; the text is the role for
    an active button, the tooltip/message for an inactive one."""
    if state in {"registration incomplete", "folder not enabled"}:
        return False, state, None
    if state == "not created":
        if who == "administrator":
            return True, "creator", "first click"
        return False, "not created", None
    role = {"administrator": "creator", "guest of a public space": "guest viewer"}
    return True, role.get(who, "viewer"), None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", STATES[1:])
@pytest.mark.parametrize("who", WHO_SEES_THE_SPACE)
def test_home_screen_panopto_element_follows_spec_table(client, who, state, language):
    space, user = build(who, state)
    client.force_login(user)
    response = get(client, reverse("virtualspaces:space_home", args=[space.pk]), language)
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find(data_panopto_element=True) is not None
    block = folder_block(document, space, space)
    assert TEXT["button"][language] in launch_button(block).text
    active, text, hint = expected_cell(who, state)
    if active:
        assert_active_with_role(document, block, TEXT[text][language])
    else:
        assert_inactive_with_message(document, block, TEXT[text][language])
    hint_element = block.find(class_="hint")
    if hint:
        assert hint_element.text == TEXT[hint][language]
        assert hint_element.attrs["id"] in launch_button(block).attrs["aria-describedby"]
    else:
        assert hint_element is None
    form = block.find("form")
    assert form.attrs["action"] == reverse("panopto_link:launch", args=[space.pk])
    assert form.attrs["method"] == "post"
    assert form.find("input", name="csrfmiddlewaretoken") is not None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", ["created", "not created", "folder not enabled"])
def test_home_screen_shows_the_folder_state(client, state, language):
    space, user = build("member", state)
    client.force_login(user)
    document = parse(get(client, reverse("virtualspaces:space_home", args=[space.pk]), language))
    badge = folder_block(document, space, space).find(class_="badge")
    expected = {"created": "state created", "not created": "state not created"}
    assert badge.text == TEXT[expected.get(state, "state not enabled")][language]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", WHO_SEES_THE_SPACE)
def test_no_licence_hides_the_element_and_the_launch_urls_answer_404(client, who, language):
    space, user = build(who, "no licence")
    client.force_login(user)
    response = get(client, reverse("virtualspaces:space_home", args=[space.pk]), language)
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text == space.name
    assert document.find(data_panopto_element=True) is None
    assert document.find("button", aria_disabled=True) is None
    assert TEXT["button"][language] not in document.text
    assert document.find("a", data_menu_item="panopto") is None
    launch = reverse("panopto_link:launch", args=[space.pk])
    assert client.get(launch).status_code == 404
    assert client.post(launch).status_code == 404
    assert client.get(reverse("panopto_link:studies_panopto")).status_code == 404


@pytest.mark.parametrize("state", STATES)
def test_non_member_of_a_private_space_gets_the_404_of_a_missing_space(client, state):
    space, user = build("non-member of a private space", state)
    client.force_login(user)
    missing_pk = space.pk + 1000
    for name in ("virtualspaces:space_home", "panopto_link:launch"):
        private = client.get(reverse(name, args=[space.pk]))
        missing = client.get(reverse(name, args=[missing_pk]))
        assert private.status_code == missing.status_code == 404
        assert private.content == missing.content
    post_private = client.post(reverse("panopto_link:launch", args=[space.pk]))
    post_missing = client.post(reverse("panopto_link:launch", args=[missing_pk]))
    assert post_private.status_code == post_missing.status_code == 404
    assert post_private.content == post_missing.content


@pytest.mark.parametrize("state", STATES[1:])
def test_inactive_button_posts_to_a_refusal_that_says_why_without_script(client, state):
    """Without JavaScript the click submits; the launch answers with the same message."""
    space, user = build("member", state)
    client.force_login(user)
    active, text, _hint = expected_cell("member", state)
    response = client.post(
        reverse("panopto_link:launch", args=[space.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    if active:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert TEXT[text]["en"] in parse(response.content).text


# --- Studies → Information → Panopto, every cell --------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", STATES[1:])
@pytest.mark.parametrize("who", list(MEMBERSHIP_OF))
def test_panopto_page_follows_spec_table(client, who, state, language):
    space, user = build(who, state)
    client.force_login(user)
    response = get(client, reverse("panopto_link:studies_panopto"), language)
    assert response.status_code == 200
    document = parse(response.content)
    active, text, hint = expected_cell(who, state)
    if text == "not created":
        # Waiting for the administrator: listed with who opens it, without a button to try.
        item = document.find("li", data_space=space.code)
        assert item.attrs["data-standing"] == "waiting"
        assert item.find("button") is None and folder_block(document, space, space) is None
        return
    block = folder_block(document, space, space)
    assert TEXT["button"][language] in launch_button(block).text
    if active:
        assert_active_with_role(document, block, TEXT[text][language])
    else:
        assert_inactive_with_message(document, block, TEXT[text][language])
    assert (block.find(class_="hint") is not None) is bool(hint)


@pytest.mark.parametrize("state", STATES[1:])
def test_panopto_page_does_not_list_public_spaces_one_only_looks_at(client, state):
    space, user = build("guest of a public space", state)
    client.force_login(user)
    document = parse(get(client, reverse("panopto_link:studies_panopto"), "en"))
    assert folder_block(document, space, space) is None
    assert document.find(class_="empty-state") is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_cookie_chooses_the_language_as_well(client, settings, language):
    space, user = build("member", "not created")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    document = parse(client.get(reverse("virtualspaces:space_home", args=[space.pk])).content)
    assert document.find("html").attrs["lang"] == language
    reason = document.find("span", class_="launch-reason")
    assert reason.text == TEXT["not created"][language]


# --- linked folders --------------------------------------------------------------------------


@pytest.fixture
def course_with_linked_subject(licence, registration):
    """A course whose user is a member, linking its subject's folder (the user is not in the
    subject's space)."""
    from tests.factories import CourseFactory, FolderLinkFactory

    subject = SpaceFactory(name="Analízis I", code="NPUMAT101")
    course = CourseFactory(subject=subject, name="Analízis I – előadás")
    FolderFactory(space=course, state=FolderState.CREATED, created_at=timezone.now())
    FolderLinkFactory(course=course, linked_space=subject)
    user = UserFactory()
    MembershipFactory(user=user, space=course, role=MembershipRole.MEMBER)
    return course, subject, user


def linked_block(document, course, subject):
    block = folder_block(document, course, subject)
    assert block is not None and block.has_class("folder--linked")
    return block


@pytest.mark.parametrize("page", ["home", "studies"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("subject_folder", "expected"),
    [
        ({"state": FolderState.CREATED}, "viewer"),
        ({}, "not created"),
        ({"state": FolderState.CREATED, "is_enabled": False}, "folder not enabled"),
    ],
    ids=["created", "not-created", "not-enabled"],
)
def test_linked_folder_keeps_its_own_state_and_button(
    client, course_with_linked_subject, page, language, subject_folder, expected
):
    course, subject, user = course_with_linked_subject
    if subject_folder.get("state") == FolderState.CREATED:
        subject_folder = {**subject_folder, "created_at": timezone.now()}
    FolderFactory(space=subject, **subject_folder)
    client.force_login(user)
    url = (
        reverse("virtualspaces:space_home", args=[course.pk])
        if page == "home"
        else reverse("panopto_link:studies_panopto")
    )
    document = parse(get(client, url, language))
    # The course's own folder is created and open to the member as Viewer...
    assert_active_with_role(
        document, folder_block(document, course, course), TEXT["viewer"][language]
    )
    # ...while the linked folder shows its own state.
    if page == "studies" and expected == "not created":
        item = document.find("li", data_space=subject.code)
        assert item.attrs["data-standing"] == "waiting" and item.find("button") is None
        return
    if page == "studies":  # a row of its own, named by its heading, launched through the course
        row = document.find("li", data_space=subject.code)
        assert row.find("h4").text == subject.name
        block = folder_block(row, course, subject)
    else:
        block = linked_block(document, course, subject)
        assert subject.name in block.find(class_="folder__name").text
    if expected == "viewer":
        assert_active_with_role(document, block, TEXT["viewer"][language])
    else:
        assert_inactive_with_message(document, block, TEXT[expected][language])
    form = block.find("form")
    assert form.attrs["action"] == reverse("panopto_link:launch", args=[course.pk])
    assert form.find("input", type="hidden", name="folder").attrs["value"] == str(subject.pk)


def test_linked_folder_is_creator_where_the_user_administers_its_space(
    client, course_with_linked_subject
):
    course, subject, user = course_with_linked_subject
    MembershipFactory(user=user, space=subject, role=MembershipRole.ADMINISTRATOR)
    client.force_login(user)
    document = parse(get(client, reverse("virtualspaces:space_home", args=[course.pk]), "en"))
    block = linked_block(document, course, subject)
    assert_active_with_role(document, block, TEXT["creator"]["en"])
    assert block.find(class_="hint").text == TEXT["first click linked"]["en"]
    assert_active_with_role(document, folder_block(document, course, course), TEXT["viewer"]["en"])


def test_linked_folders_sit_under_their_course_on_the_panopto_page(
    client, course_with_linked_subject
):
    course, subject, user = course_with_linked_subject
    client.force_login(user)
    FolderFactory(space=subject, state=FolderState.CREATED, created_at=timezone.now())
    document = parse(get(client, reverse("panopto_link:studies_panopto"), "en"))
    # The member is not in the subject's space: its folder is listed once, launched through the
    # course, which it names; its name is no link to a Home screen the member cannot see.
    row = document.find("li", data_space=subject.code)
    assert folder_block(row, course, subject) is not None
    assert row.find("h4").find("a") is None
    assert [a.text for a in row.find(class_="folder-row__courses").find_all("a")] == [course.name]


# --- what an IT administrator sees besides ----------------------------------------------------


def staff_help(client, space, language="en"):
    document = parse(get(client, reverse("virtualspaces:space_home", args=[space.pk]), language))
    return folder_block(document, space, space).find(data_config_help=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_administrator_sees_the_missing_registration_fields_and_where_to_fix_them(
    client, language
):
    space, user = build("member", "registration incomplete")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    help_box = staff_help(client, space, language)
    fields = [item.text for item in help_box.find_all("li")]
    assert (
        fields
        == {
            "en": ["client id", "Panopto JWKS URL"],
            "hu": ["kliensazonosító (client id)", "Panopto JWKS URL"],
        }[language]
    )
    link = help_box.find("a")
    assert link.attrs["href"] == reverse("admin:panopto_link_panoptoregistration_change", args=[1])


def test_it_administrator_without_a_registration_is_sent_to_add_one(client, licence):
    space = SpaceFactory()
    FolderFactory(space=space)
    user = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    help_box = staff_help(client, space)
    assert len(help_box.find_all("li")) == 6
    link = help_box.find("a")
    assert link.attrs["href"] == reverse("admin:panopto_link_panoptoregistration_add")


def test_it_administrator_is_told_a_disabled_registration(client, licence):
    RegistrationFactory(is_enabled=False)
    space = SpaceFactory()
    user = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=user, space=space)
    client.force_login(user)
    assert "The Panopto registration is disabled." in staff_help(client, space).text


def test_it_administrator_is_sent_to_a_disabled_folder(client):
    space, user = build("member", "folder not enabled")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    link = staff_help(client, space).find("a")
    folder = space.panopto_folder
    assert link.attrs["href"] == reverse(
        "admin:panopto_link_panoptofolder_change", args=[folder.pk]
    )


def test_staff_without_the_permission_sees_the_fields_but_no_link(client):
    space, user = build("member", "registration incomplete")
    user.is_staff = True
    user.save()
    client.force_login(user)
    help_box = staff_help(client, space)
    assert len(help_box.find_all("li")) == 2
    assert help_box.find("a") is None


@pytest.mark.parametrize("state", ["registration incomplete", "folder not enabled"])
def test_students_and_lecturers_do_not_see_the_configuration_details(client, state):
    space, user = build("administrator", state)
    client.force_login(user)
    assert staff_help(client, space) is None


def test_nothing_for_staff_to_fix_before_the_first_launch(client):
    space, user = build("member", "not created")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    assert staff_help(client, space) is None


@pytest.mark.parametrize("path", ["panopto_link:launch", "panopto_link:pick_videos"])
def test_a_space_id_beyond_any_database_integer_is_a_404_not_a_500(client, path):
    _space, user = build("administrator", "created")
    client.force_login(user)
    huge = 10**30
    assert client.get(reverse("panopto_link:launch", args=[huge])).status_code == 404
    assert client.post(reverse(path, args=[huge])).status_code == 404

"""SPEC §3 as a table: the policy alone, without a database."""

import pytest

from panopto_link.lti import claims
from panopto_link.lti.substitution import Variable
from panopto_link.models import IdentifierKind, PrivacyLevel
from panopto_link.permissions import (
    NEW_FOLDER,
    ConfigurationFix,
    FolderFacts,
    FolderStanding,
    PanoptoRole,
    RegistrationFacts,
    configuration_fix,
    creator_sync_refusal,
    decide_folder,
    existing_context_may_be_given,
    folder_opener_role,
    folder_standing,
    identifier_change_warned,
    identifier_refusal,
    identifier_released,
    lti_roles,
    may_manage_videos,
    may_open_videos,
    may_pick_videos,
    names_linked_folder,
    panopto_creator_role,
    recording_identity,
    refused_as_not_found,
    registration_complete,
    released_personal_data,
    shows_video_picker,
    variable_released,
    video_picker_refusal,
)
from panopto_link.reasons import PanoptoReason, PersonalData
from panopto_link.refusals import REFUSAL_MESSAGES, refusal_message
from virtualspaces.models import MembershipRole, SpaceType
from virtualspaces.permissions import SpaceAccess

COMPLETE = RegistrationFacts(is_enabled=True, missing_fields=())
INCOMPLETE = RegistrationFacts(is_enabled=True, missing_fields=("client_id",))
DISABLED = RegistrationFacts(is_enabled=False, missing_fields=())
CREATED = FolderFacts(is_enabled=True, is_created=True)
NOT_CREATED = FolderFacts(is_enabled=True, is_created=False)
FOLDER_OFF = FolderFacts(is_enabled=False, is_created=True)

ADMIN = SpaceAccess(membership_role="administrator", is_public=False, space_type="course")
MEMBER = SpaceAccess(membership_role="member", is_public=False, space_type="course")
GUEST_MEMBER = SpaceAccess(membership_role="guest_member", is_public=False, space_type="course")
PUBLIC_GUEST = SpaceAccess(membership_role=None, is_public=True, space_type="course")
OUTSIDER = SpaceAccess(membership_role=None, is_public=False, space_type="course")
USERS = {
    "administrator": ADMIN,
    "member": MEMBER,
    "guest member": GUEST_MEMBER,
    "guest of a public space": PUBLIC_GUEST,
}


def decide(access, *, licence=True, registration=COMPLETE, folder=CREATED, admin=None):
    return decide_folder(
        licence_valid=licence,
        registration=registration,
        access=access,
        administers_folder=access.is_administrator if admin is None else admin,
        folder=folder,
    )


@pytest.mark.parametrize("who", [*USERS, "outsider"])
def test_no_licence_hides_everything_for_everyone(who):
    decision = decide(USERS.get(who, OUTSIDER), licence=False)
    assert not decision.shown and not decision.active
    assert decision.refusal is PanoptoReason.NO_LICENCE and refused_as_not_found(decision.refusal)


@pytest.mark.parametrize("folder", [CREATED, NOT_CREATED, FOLDER_OFF])
@pytest.mark.parametrize("registration", [COMPLETE, INCOMPLETE])
def test_non_member_of_a_private_space_never_sees_it(folder, registration):
    decision = decide(OUTSIDER, folder=folder, registration=registration)
    assert not decision.shown and decision.refusal is PanoptoReason.NOT_VISIBLE
    assert refused_as_not_found(decision.refusal)


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize(
    ("registration", "folder", "refusal"),
    [
        (INCOMPLETE, CREATED, PanoptoReason.REGISTRATION_INCOMPLETE),
        (DISABLED, CREATED, PanoptoReason.REGISTRATION_INCOMPLETE),
        (COMPLETE, FOLDER_OFF, PanoptoReason.FOLDER_DISABLED),
        (INCOMPLETE, FOLDER_OFF, PanoptoReason.REGISTRATION_INCOMPLETE),
    ],
)
def test_missing_configuration_shows_an_inactive_link_saying_what_is_missing(
    who, registration, folder, refusal
):
    decision = decide(USERS[who], registration=registration, folder=folder)
    assert decision.shown and not decision.active
    assert decision.refusal is refusal and not refused_as_not_found(refusal)
    assert refusal_message(refusal, SpaceType.COURSE) == REFUSAL_MESSAGES[refusal]


def test_administrator_creates_the_context_on_the_first_click():
    decision = decide(ADMIN, folder=NOT_CREATED)
    assert decision.shown and decision.active and decision.creates_context
    assert decision.role is PanoptoRole.CREATOR


@pytest.mark.parametrize("who", ["member", "guest member", "guest of a public space"])
def test_others_wait_until_the_context_exists(who):
    decision = decide(USERS[who], folder=NOT_CREATED)
    assert decision.shown and not decision.active and not decision.creates_context
    assert decision.refusal is PanoptoReason.CONTEXT_NOT_CREATED
    # Told in the words of the space's type (issue 25 item 12).
    assert "lecturer has opened" in str(refusal_message(decision.refusal, SpaceType.COURSE))
    assert "lecturer has opened" in str(refusal_message(decision.refusal, SpaceType.SUBJECT))
    other = str(refusal_message(decision.refusal, SpaceType.OTHER))
    assert "space's administrator has opened" in other


def test_a_folder_without_a_row_counts_as_not_created_and_enabled():
    assert decide(ADMIN, folder=NEW_FOLDER).creates_context
    assert decide(MEMBER, folder=NEW_FOLDER).refusal is PanoptoReason.CONTEXT_NOT_CREATED


@pytest.mark.parametrize(
    ("who", "role", "is_guest"),
    [
        ("administrator", PanoptoRole.CREATOR, False),
        ("member", PanoptoRole.VIEWER, False),
        ("guest member", PanoptoRole.VIEWER, False),
        ("guest of a public space", PanoptoRole.VIEWER, True),
    ],
)
def test_created_folder_is_open_with_the_right_role(who, role, is_guest):
    decision = decide(USERS[who])
    assert decision.shown and decision.active and decision.refusal is None
    assert decision.role is role and decision.is_guest is is_guest
    assert not decision.creates_context


def test_linked_folder_creator_only_where_the_user_administers_its_space():
    # A member of the course who administers the linked subject: Creator of that folder.
    assert decide(MEMBER, admin=True).role is PanoptoRole.CREATOR
    assert decide(MEMBER, admin=True, folder=NOT_CREATED).creates_context
    # The course's administrator who is not the subject's: Viewer of the linked folder.
    assert decide(ADMIN, admin=False).role is PanoptoRole.VIEWER
    assert (
        decide(ADMIN, admin=False, folder=NOT_CREATED).refusal is PanoptoReason.CONTEXT_NOT_CREATED
    )


# --- what a launch sends and names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "roles"),
    [
        ("administrator", (claims.ROLE_INSTRUCTOR,)),
        ("member", (claims.ROLE_LEARNER,)),
        ("guest member", (claims.ROLE_LEARNER,)),
        ("guest of a public space", (claims.ROLE_LEARNER, claims.INSTITUTION_GUEST)),
    ],
)
def test_lti_roles_follow_the_decision(who, roles):
    assert lti_roles(decide(USERS[who])) == roles


@pytest.mark.parametrize("who", ["member", "guest member", "guest of a public space"])
def test_an_inactive_decision_sends_no_role(who):
    assert lti_roles(decide(USERS[who], folder=NOT_CREATED)) == ()
    assert lti_roles(decide(USERS[who], registration=INCOMPLETE)) == ()


def test_a_launch_into_the_courses_own_folder_names_the_linked_folders_one_may_enter():
    open_linked = decide(MEMBER)
    waiting_linked = decide(MEMBER, folder=NOT_CREATED)
    creatable_linked = decide(MEMBER, admin=True, folder=NOT_CREATED)
    assert names_linked_folder(launches_own_folder=True, linked=open_linked)
    assert not names_linked_folder(launches_own_folder=True, linked=waiting_linked)
    # Entering, not creating: a linked folder's context is never created by a dashboard launch.
    assert not names_linked_folder(launches_own_folder=True, linked=creatable_linked)
    # A launch into a linked folder names none.
    assert not names_linked_folder(launches_own_folder=False, linked=open_linked)


# --- videos (SPEC §6) -------------------------------------------------------------------------


def test_only_the_administrator_picks_videos_and_only_in_the_spaces_own_open_folder():
    assert may_pick_videos(decide(ADMIN), is_own_folder=True)
    assert not may_pick_videos(decide(ADMIN), is_own_folder=False)
    assert not may_pick_videos(decide(ADMIN, folder=NOT_CREATED), is_own_folder=True)
    for who in ("member", "guest member", "guest of a public space"):
        assert not may_pick_videos(decide(USERS[who]), is_own_folder=True)
    assert video_picker_refusal(decide(MEMBER)) is PanoptoReason.NOT_VIDEO_PICKER
    assert video_picker_refusal(decide(MEMBER, folder=FOLDER_OFF)) is PanoptoReason.FOLDER_DISABLED
    # The administrator before the first launch: open the folder first.
    assert (
        video_picker_refusal(decide(ADMIN, folder=NOT_CREATED))
        is PanoptoReason.PICKER_BEFORE_CONTEXT
    )


@pytest.mark.parametrize(
    ("who", "shown"),
    [("administrator", True), ("member", False), ("guest member", False)],
)
def test_the_picker_button_is_shown_to_the_administrator_only(who, shown):
    assert shows_video_picker(USERS[who]) is shown


def test_folders_stand_ready_waiting_or_unavailable():
    assert folder_standing(decide(MEMBER)) is FolderStanding.READY
    assert folder_standing(decide(ADMIN, folder=NOT_CREATED)) is FolderStanding.READY  # creates it
    assert folder_standing(decide(MEMBER, folder=NOT_CREATED)) is FolderStanding.WAITING
    assert folder_standing(decide(MEMBER, folder=FOLDER_OFF)) is FolderStanding.UNAVAILABLE
    # The administrator of the folder's own space opens a waiting folder.
    assert folder_opener_role() == MembershipRole.ADMINISTRATOR
    assert decide(USERS["administrator"], folder=NOT_CREATED).creates_context


LAUNCH = "https://Egyetem.hosted.panopto.com/Panopto/LTI/LTI13.aspx"


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # The whole item (issue 21): its URL, normalised, and its custom map, canonical.
        ({"url": "https://p/v/1", "custom": {}}, {"url": "https://p/v/1#t=5", "custom": {}}, True),
        ({"url": "https://p/v/1", "custom": {}}, {"url": "https://p/v/2", "custom": {}}, False),
        (
            {"url": LAUNCH, "custom": {"context_delivery": "a"}},
            {"url": LAUNCH, "custom": {"context_delivery": "b"}},
            False,
        ),
        (
            {"url": LAUNCH, "custom": {"context_delivery": "a", "use_panopto_sandbox": "true"}},
            {"url": LAUNCH, "custom": {"use_panopto_sandbox": "true", "context_delivery": "a"}},
            True,
        ),
        (
            {"url": LAUNCH, "custom": {"context_delivery": "a"}},
            {
                "url": LAUNCH.replace("https://Egyetem.", "HTTPS://egyetem.").replace(
                    ".com/", ".com:443/"
                ),
                "custom": {"context_delivery": "a"},
            },
            True,
        ),
        (  # values as sent: another case is another value
            {"url": LAUNCH, "custom": {"context_delivery": "ABC"}},
            {"url": LAUNCH, "custom": {"context_delivery": "abc"}},
            False,
        ),
        (  # a parameter only the stand-in once sent gets no special treatment
            {"url": "https://p/v/1", "custom": {"recording_id": "a"}},
            {"url": "https://p/other", "custom": {"recording_id": "a"}},
            False,
        ),
        ({"url": LAUNCH, "custom": {}}, {"url": LAUNCH, "custom": {"x": ""}}, False),
        ({"url": LAUNCH + "?a=1", "custom": {}}, {"url": LAUNCH + "?a=2", "custom": {}}, False),
    ],
)
def test_what_makes_two_videos_the_same_recording(first, second, same):
    assert (recording_identity(**first) == recording_identity(**second)) is same


@pytest.mark.parametrize("who", USERS)
def test_videos_open_once_the_folder_is_open(who):
    assert may_open_videos(decide(USERS[who]))
    assert not may_open_videos(decide(USERS[who], folder=NOT_CREATED))


@pytest.mark.parametrize(
    ("who", "manages"),
    [("administrator", True), ("member", False), ("guest member", False)],
)
def test_only_the_administrator_manages_videos(who, manages):
    assert may_manage_videos(USERS[who]) is manages


# --- the IT administrators' help --------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_staff", "refusal", "fix"),
    [
        (True, PanoptoReason.REGISTRATION_INCOMPLETE, ConfigurationFix.REGISTRATION),
        (True, PanoptoReason.FOLDER_DISABLED, ConfigurationFix.FOLDER),
        (True, PanoptoReason.CONTEXT_NOT_CREATED, None),
        (True, None, None),
        (False, PanoptoReason.REGISTRATION_INCOMPLETE, None),
        (False, PanoptoReason.FOLDER_DISABLED, None),
    ],
)
def test_only_staff_are_told_what_to_fix_and_only_what_a_setting_fixes(is_staff, refusal, fix):
    assert configuration_fix(is_staff=is_staff, refusal=refusal) is fix


def test_the_registration_is_complete_when_enabled_and_filled_in():
    assert registration_complete(COMPLETE)
    assert not registration_complete(INCOMPLETE)
    assert not registration_complete(DISABLED)


# --- what Panopto learns of a person (issue 12) ----------------------------------------------

IDENTITY, NAME, EMAIL = PersonalData.IDENTITY, PersonalData.NAME, PersonalData.EMAIL


@pytest.mark.parametrize(
    ("level", "released"),
    [
        (PrivacyLevel.ANONYMOUS, set()),
        (PrivacyLevel.NAME, {IDENTITY, NAME}),
        (PrivacyLevel.EMAIL, {IDENTITY, EMAIL}),
        (PrivacyLevel.NAME_AND_EMAIL, {IDENTITY, NAME, EMAIL}),
        ("something-else", set()),
    ],
)
def test_each_privacy_level_releases_its_personal_data_and_an_unknown_one_nothing(level, released):
    assert released_personal_data(level) == released


@pytest.mark.parametrize(
    ("level", "kind", "sent"),
    [
        (PrivacyLevel.ANONYMOUS, IdentifierKind.USERNAME, False),
        (PrivacyLevel.ANONYMOUS, IdentifierKind.NEPTUN_CODE, False),
        (PrivacyLevel.NAME, IdentifierKind.USERNAME, True),
        (PrivacyLevel.NAME, IdentifierKind.NEPTUN_CODE, True),
        (PrivacyLevel.NAME, IdentifierKind.EMAIL, False),  # the e-mail address is withheld
        (PrivacyLevel.EMAIL, IdentifierKind.EMAIL, True),
        (PrivacyLevel.NAME_AND_EMAIL, IdentifierKind.EMAIL, True),
    ],
)
def test_the_identifier_is_sent_when_the_level_releases_the_data_it_is(level, kind, sent):
    assert identifier_released(privacy_level=level, identifier_kind=kind) is sent


@pytest.mark.parametrize(
    ("variable", "level", "released"),
    [
        (Variable.USER_ID, PrivacyLevel.ANONYMOUS, True),
        (Variable.CONTEXT_TITLE, PrivacyLevel.ANONYMOUS, True),
        (Variable.COURSE_SECTION_SOURCED_ID, PrivacyLevel.ANONYMOUS, True),
        (Variable.USER_USERNAME, PrivacyLevel.ANONYMOUS, False),
        (Variable.USER_USERNAME, PrivacyLevel.EMAIL, True),
        (Variable.PERSON_NAME_FULL, PrivacyLevel.EMAIL, False),
        (Variable.PERSON_NAME_FULL, PrivacyLevel.NAME, True),
        (Variable.PERSON_EMAIL_PRIMARY, PrivacyLevel.NAME, False),
        (Variable.PERSON_EMAIL_PRIMARY, PrivacyLevel.NAME_AND_EMAIL, True),
        (Variable.PERSON_SOURCED_ID, PrivacyLevel.ANONYMOUS, False),
        (Variable.PERSON_SOURCED_ID, PrivacyLevel.NAME, True),
    ],
)
def test_a_variable_is_substituted_only_when_the_level_releases_what_it_reveals(
    variable, level, released
):
    assert (
        variable_released(variable, privacy_level=level, identifier_kind=IdentifierKind.USERNAME)
        is released
    )


def test_sourced_id_follows_the_identifier_when_the_identifier_is_the_email():
    for level, released in ((PrivacyLevel.NAME, False), (PrivacyLevel.EMAIL, True)):
        assert (
            variable_released(
                Variable.PERSON_SOURCED_ID,
                privacy_level=level,
                identifier_kind=IdentifierKind.EMAIL,
            )
            is released
        )


def test_a_launch_that_must_carry_the_identifier_is_refused_for_a_user_without_one():
    assert identifier_refusal(released=True, identifier="") is PanoptoReason.IDENTIFIER_MISSING
    assert identifier_refusal(released=True, identifier="ABC123") is None
    assert identifier_refusal(released=False, identifier="") is None


def test_changing_the_identifier_asks_for_confirmation_only_after_launches():
    assert identifier_change_warned(has_launched=True)
    assert not identifier_change_warned(has_launched=False)


@pytest.mark.parametrize(
    ("is_created", "context_used", "may"),
    [(False, False, True), (False, True, False), (True, False, False), (True, True, False)],
)
def test_an_existing_folders_context_id_may_be_given_only_before_any_launch(
    is_created, context_used, may
):
    assert existing_context_may_be_given(is_created=is_created, context_used=context_used) is may


# --- who provisioning may make a Creator (issue 23 item 4) -----------------------------------


@pytest.mark.parametrize(
    ("privacy_level", "identifier_kind", "identifier", "expected"),
    [
        (PrivacyLevel.NAME, IdentifierKind.USERNAME, "oktato", None),
        (PrivacyLevel.NAME_AND_EMAIL, IdentifierKind.NEPTUN_CODE, "SZG4T1", None),
        (PrivacyLevel.ANONYMOUS, IdentifierKind.USERNAME, "oktato", "identifier_withheld"),
        # The e-mail address is e-mail data: "name only" does not release it.
        (PrivacyLevel.NAME, IdentifierKind.EMAIL, "o@example.edu", "identifier_withheld"),
        (PrivacyLevel.EMAIL, IdentifierKind.EMAIL, "o@example.edu", None),
        (PrivacyLevel.NAME, IdentifierKind.NEPTUN_CODE, "", "identifier_missing"),
    ],
)
def test_provisioning_makes_creators_only_of_people_a_launch_would_name(
    privacy_level, identifier_kind, identifier, expected
):
    refusal = creator_sync_refusal(
        privacy_level=privacy_level, identifier_kind=identifier_kind, identifier=identifier
    )
    assert (refusal.value if refusal else None) == expected
    assert panopto_creator_role() is MembershipRole.ADMINISTRATOR

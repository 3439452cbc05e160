"""Issue 20, finding 1, end to end through the stand-in: a deep-linking answer signed by the
registered tool whose item sets one of the portal's own custom parameters (`linked_folders`,
the identifier's parameter) or a key that breaks the key rule is refused with a reason in the
lecturer's words, and nothing of it reaches a student's Play launch; a link stored before the
rule loses those keys at the launch, which the launch record names. The portal's own
parameters always win."""

import json

import jwt
import pytest
from django.test import Client
from django.utils import translation

from panopto_link.admin.words import sent_in_words
from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import PanoptoRegistration, VideoLink
from panopto_link.simulator.keys import tool_key
from panopto_link.simulator.models import Folder, FolderAccess, FolderRole, ToolUser
from panopto_link.simulator.services import _folder_create
from tests.html import parse
from tests.panopto_link.simulator.conftest import (
    STAND_IN_ORIGIN,
    launch_through_portal,
    open_video_through_portal,
    pick_through_portal,
)
from tests.panopto_link.simulator.test_content_picker import answer_form

pytestmark = pytest.mark.django_db

ANSWER_PATH = "/panopto-sim/deep-link/answer/"


@pytest.fixture
def folder_created(world, standin):
    answer = launch_through_portal(Client(), world.admin, world.course)
    assert answer.status_code == 303, answer.content.decode()
    return Folder.objects.get()


@pytest.fixture
def other_folder(folder_created):
    """Another space's folder on the stand-in, which a forged `linked_folders` would open."""
    creator = ToolUser.objects.first()
    return _folder_create(context_id="other-space", title="Más", label="MAS", creator=creator)


def stand_in_answer(world, folder):
    """The stand-in's signed answer for the folder's first recording: (return URL, claims)."""
    client = Client()
    page = parse(pick_through_portal(client, world.admin, world.course))
    launch = page.find("input", name="launch").attrs["value"]
    recording = folder.recordings.first()
    action, token = answer_form(
        client.post(ANSWER_PATH, {"launch": launch, "recording": recording.public_id})
    )
    return action, jwt.decode(token, options={"verify_signature": False}), recording


def signed_by_the_stand_in(body: dict) -> str:
    key = tool_key()
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def forged_linked_folders(folder: Folder) -> str:
    return json.dumps([{"context_id": folder.context_id, "role": "creator"}])


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("linked_folders", "linked_folders", "which only the portal itself may send"),
        ({"Bad Key!": "1"}, "Bad Key!", "only names of lower-case letters"),
        ({"neptun_code": "ADMIN1"}, "neptun_code", "which only the portal itself may send"),
        ({"use_panopto_sandbox": ["true"]}, "use_panopto_sandbox", "not a text, a number"),
    ],
)
def test_an_item_setting_a_reserved_or_invalid_key_is_refused_in_the_lecturers_words(
    world, folder_created, other_folder, extra, key, words
):
    PanoptoRegistration.objects.update(identifier_parameter="neptun_code")
    action, body, recording = stand_in_answer(world, folder_created)
    if extra == "linked_folders":
        extra = {"linked_folders": forged_linked_folders(other_folder)}
    item = body[claims.DL_CONTENT_ITEMS][0]
    item["custom"] = {**item["custom"], **extra}
    done = Client().post(action, {"JWT": signed_by_the_stand_in(body)}, HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 200, done.content.decode()[-800:]
    assert not VideoLink.objects.exists()
    record = LaunchRecord.objects.filter(stage=LaunchStage.DEEP_LINKING_RETURN).get()
    assert record.outcome == LaunchOutcome.ACCEPTED
    assert f"1 item(s) refused for their custom parameters: {key}" in record.detail

    form = parse(done).find("form", id="lti-form-post")
    admin = Client()
    admin.force_login(world.admin)
    value = form.find("input", name="outcome").attrs["value"]
    for language, expected in (("en", words), ("hu", "nem került be")):
        page = admin.get(
            form.attrs["action"], {"outcome": value}, HTTP_ACCEPT_LANGUAGE=language, follow=True
        )
        # The space's page says it, in its videos section's messages (issue 25 item 5).
        refused = parse(page).find("section", id="videos").find("ul", class_="messages")
        assert refused is not None and expected in refused.text, page.content.decode()[-1500:]
        assert recording.title in refused.text and key in refused.text


def test_a_link_stored_before_the_rule_never_carries_its_reserved_keys_to_a_play_launch(
    world, folder_created, other_folder
):
    """The previous release stored such items (in its stand-in's shape: the viewer URL and a
    `recording_id`): their launch sends the rest of the custom map unchanged, never the forged
    keys, and the stand-in gives the student nothing more."""
    recording = folder_created.recordings.first()
    PanoptoRegistration.objects.update(identifier_parameter="neptun_code")
    video = VideoLink.objects.create(
        space=world.course,
        title=recording.title,
        url=f"{STAND_IN_ORIGIN}/panopto-sim/viewer/{recording.public_id}/",
        custom={
            "recording_id": str(recording.public_id),
            "use_panopto_sandbox": "true",
            "linked_folders": forged_linked_folders(other_folder),
            "Bad Key!": "1",
            "neptun_code": "OKTATO",
        },
    )
    member = Client()
    launched = open_video_through_portal(member, world.member, video)
    assert launched.status_code == 303, launched.content.decode()[-800:]
    assert launched["Location"] == f"/panopto-sim/viewer/{recording.public_id}/"
    student = ToolUser.objects.get(username=world.member.username)
    assert not FolderAccess.objects.filter(user=student, folder=other_folder).exists()
    assert FolderAccess.objects.get(user=student, folder=folder_created).role == FolderRole.VIEWER
    record = LaunchRecord.objects.filter(
        stage=LaunchStage.AUTHORIZATION, outcome=LaunchOutcome.ACCEPTED, user=world.member
    ).get()
    # The identifier's parameter is the portal's (the member's own, or none at all).
    assert record.sent["custom"] == ["neptun_code", "recording_id", "use_panopto_sandbox"]
    assert record.sent["tool"]["dropped_custom_keys"] == "Bad Key!,linked_folders,neptun_code"
    with translation.override("en"):
        assert "(keys content may not set): Bad Key!, linked_folders, neptun_code." in (
            sent_in_words(record.sent)
        )

"""The stand-in's content picker with the portal: the administrator's "Add videos from Panopto"
opens it, the chosen recordings come back as a signed LtiDeepLinkingResponse that the portal
verifies and links into the space, and a member's "Play" opens a recording in the stand-in's
viewer."""

import jwt
import pytest
from django.test import Client

from panopto_link.lti import claims
from panopto_link.lti_platform.models import LaunchOutcome, LaunchRecord, LaunchStage
from panopto_link.models import VideoLink
from panopto_link.simulator.models import ConsumedNonce, Folder, FolderRole, Recording, ToolUser
from panopto_link.simulator.services import SAMPLE_RECORDINGS, _folder_create
from tests.html import parse
from tests.lti_tool import CLIENT_ID, ISSUER
from tests.panopto_link.simulator.conftest import (
    STAND_IN_ORIGIN,
    launch_through_portal,
    open_video_through_portal,
    pick_through_portal,
)

pytestmark = pytest.mark.django_db

ANSWER_PATH = "/panopto-sim/deep-link/answer/"
RETURN_URL = ISSUER + "/lti/deep-linking/return/"


@pytest.fixture
def folder_created(world, standin):
    """The administrator's first launch has created the course's folder on both sides."""
    answer = launch_through_portal(Client(), world.admin, world.course)
    assert answer.status_code == 303, answer.content.decode()
    return Folder.objects.get()


def open_picker(world, *, language="en", client=None):
    client = client or Client(HTTP_ACCEPT_LANGUAGE=language)
    picker = pick_through_portal(client, world.admin, world.course)
    assert picker.status_code == 200, picker.content.decode()[-800:]
    assert "{#" not in picker.content.decode()  # a template comment shown as text
    return client, parse(picker)


def choices(page) -> list[tuple[str, str, str]]:
    """(input type, value, label text) of each recording offered."""
    rows = []
    for field in page.find_all("input", name="recording"):
        label = page.find("label", for_=field.attrs["id"])
        rows.append((field.attrs["type"], field.attrs["value"], label.text))
    return rows


def launch_id(page) -> str:
    return page.find("input", name="launch").attrs["value"]


def answer_form(response) -> tuple[str, str]:
    """The action and JWT of the stand-in's auto-submitting answer."""
    page = parse(response)
    form = page.by_id("sim-deep-link-return")
    assert form is not None, response.content.decode()[-800:]
    return form.attrs["action"], form.find("input", name="JWT").attrs["value"]


def stand_in_public_key(kid: str):
    document = Client().get("/panopto-sim/jwks.json").json()
    (jwk,) = [key for key in document["keys"] if key["kid"] == kid]
    return jwt.PyJWK(jwk).key


def verified(token: str) -> dict:
    """The response as anyone holding the stand-in's JWKS reads it."""
    key = stand_in_public_key(jwt.get_unverified_header(token)["kid"])
    return jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER, issuer=CLIENT_ID)


def titles_of(recordings) -> list[str]:
    return [recording.title for recording in recordings]


def test_administrator_picks_two_recordings_and_a_member_plays_one_as_viewer(
    world, folder_created, stand_in_jwks_fetches
):
    client, page = open_picker(world)
    offered = choices(page)
    recordings = list(folder_created.recordings.all())
    assert [(kind, value) for kind, value, _label in offered] == [
        ("checkbox", str(r.public_id)) for r in recordings
    ]
    for (*_rest, label), recording in zip(offered, recordings, strict=True):
        assert f"{recording.title} {recording.description} Recorded on" in label
    assert page.find("legend").text == "Recordings to add (one or more)"
    assert page.find("input", name="csrfmiddlewaretoken") is not None

    first, third = recordings[0], recordings[2]
    answer = client.post(
        ANSWER_PATH,
        {
            "launch": launch_id(page),
            "action": "add",
            "recording": [str(third.public_id), str(first.public_id)],
        },
    )
    assert answer.status_code == 200, answer.content.decode()[-800:]
    assert "no-store" in answer["Cache-Control"]
    script = parse(answer).find("script")
    assert script.attrs["src"] == "/static/panopto_simulator/autosubmit.js" and not script.text
    action, token = answer_form(answer)
    assert action == RETURN_URL

    body = verified(token)
    assert body[claims.MESSAGE_TYPE] == claims.DEEP_LINKING_RESPONSE
    assert body[claims.DEPLOYMENT_ID] and body[claims.DL_DATA]
    assert claims.DL_MSG not in body
    items = body[claims.DL_CONTENT_ITEMS]
    assert [item["title"] for item in items] == [first.title, third.title]  # the folder's order
    # Panopto's shape (issue 21): every recording through the one launch URL, named only in
    # the opaque custom map, an iframe of 720×480 and a thumbnail of 128×72.
    launch_url = f"{STAND_IN_ORIGIN}/panopto-sim/launch/"
    assert items[0] == {
        "type": "ltiResourceLink",
        "title": first.title,
        "text": first.description,
        "url": launch_url,
        "custom": {"context_delivery": str(first.public_id)},
        "thumbnail": {
            "url": STAND_IN_ORIGIN + "/static/panopto_simulator/thumbnail.svg",
            "width": 128,
            "height": 72,
        },
        "iframe": {"width": 720, "height": 480},
        # What the portal shows beside a linked video: the date and the length.
        "recorded_at": first.recorded_at.isoformat(),
        "duration": "PT1H34M",
    }

    # The browser's auto-submitted form: cross-site, so without the portal's session cookie.
    done = Client(enforce_csrf_checks=True).post(action, {"JWT": token})
    assert done.status_code == 200, done.content.decode()[-800:]
    assert stand_in_jwks_fetches == [STAND_IN_ORIGIN + "/panopto-sim/jwks.json"]
    videos = list(VideoLink.objects.filter(space=world.course))
    assert [(v.title, v.url, v.custom, v.position) for v in videos] == [
        (first.title, launch_url, {"context_delivery": str(first.public_id)}, 1),
        (third.title, launch_url, {"context_delivery": str(third.public_id)}, 2),
    ]
    assert videos[0].text == first.description
    assert videos[0].thumbnail_url.endswith("/static/panopto_simulator/thumbnail.svg")
    assert (videos[0].document_target, videos[0].width, videos[0].height) == ("iframe", 720, 480)
    assert videos[0].created_by == world.admin

    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    launched = open_video_through_portal(member, world.member, videos[0])
    assert launched.status_code == 303, launched.content.decode()[-800:]
    assert launched["Location"] == f"/panopto-sim/viewer/{first.public_id}/"
    viewer = member.get(launched["Location"])
    assert viewer.status_code == 200
    article = parse(viewer).find("article", class_="sim-viewer")
    assert article.attrs["data-role"] == "viewer"
    assert article.attrs["data-recording"] == str(first.public_id)
    assert article.find("h1").text == first.title
    assert "You are watching as a Viewer." in article.text


def test_administrator_plays_a_linked_video_as_creator(world, folder_created):
    recording = folder_created.recordings.first()
    client, page = open_picker(world)
    answer = client.post(
        ANSWER_PATH, {"launch": launch_id(page), "recording": str(recording.public_id)}
    )
    action, token = answer_form(answer)
    Client().post(action, {"JWT": token})
    video = VideoLink.objects.get()
    launched = open_video_through_portal(client, world.admin, video)
    article = parse(client.get(launched["Location"])).find("article", class_="sim-viewer")
    assert article.attrs["data-role"] == "creator"
    assert "Edit" in article.text


def test_cancelling_returns_no_recording_with_a_message_the_portal_shows(world, folder_created):
    client, page = open_picker(world)
    answer = client.post(ANSWER_PATH, {"launch": launch_id(page), "action": "cancel"})
    action, token = answer_form(answer)
    body = verified(token)
    assert body[claims.DL_CONTENT_ITEMS] == []
    message = "No recording was added: the choice was cancelled in Panopto."
    assert body[claims.DL_MSG] == message
    done = Client(HTTP_ACCEPT_LANGUAGE="en").post(action, {"JWT": token})
    assert done.status_code == 200
    form = parse(done).find("form", id="lti-form-post")
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(world.admin)
    shown = admin.get(
        form.attrs["action"], {"outcome": form.find("input").attrs["value"]}, follow=True
    )
    # On the space's page (issue 25 item 5), in its videos section's messages.
    assert shown.redirect_chain[-1][0].endswith("#videos")
    assert message in parse(shown).find("section", id="videos").text
    assert not VideoLink.objects.exists()
    record = LaunchRecord.objects.get(stage=LaunchStage.DEEP_LINKING_RETURN)
    assert (record.outcome, record.reason) == (LaunchOutcome.ACCEPTED, "videos_added")
    assert record.detail.startswith("0 video(s) linked.")


def test_the_first_launch_from_a_context_may_be_the_pickers_and_creates_the_folder(world, standin):
    """The portal believes the folder exists (say the stand-in's data was reset): an
    instructor's deep-linking request provisions it, as an instructor's launch does."""
    world.create_context()
    assert not Folder.objects.exists()
    _client, page = open_picker(world)
    folder = Folder.objects.get()
    assert folder.context_id == world.folder().context_id
    assert SAMPLE_RECORDINGS[0][0] in choices(page)[0][2]
    admin = ToolUser.objects.get(subject=str(world.admin.lti_subject))
    assert folder.accesses.get(user=admin).role == FolderRole.CREATOR


def test_picker_speaks_the_portals_language(world, folder_created):
    _client, page = open_picker(world, language="hu")
    assert page.find("html").attrs["lang"] == "hu"
    assert page.find("h1").text == "Felvételek kiválasztása"
    assert page.find("button", value="cancel").text == "Mégse"


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        pytest.param([], "Choose at least one recording of the folder, or cancel.", id="none"),
        pytest.param(
            ["00000000-0000-4000-8000-000000000000"],
            "Choose at least one recording of the folder, or cancel.",
            id="not-in-the-folder",
        ),
    ],
)
def test_an_invalid_choice_is_asked_again_and_nothing_is_sent(world, folder_created, chosen, error):
    client, page = open_picker(world)
    again = client.post(
        ANSWER_PATH, {"launch": launch_id(page), "action": "add", "recording": chosen}
    )
    assert again.status_code == 400
    form = parse(again)
    assert form.find("p", role="alert").text == error
    assert form.by_id("sim-deep-link-return") is None
    assert all(
        field.attrs.get("aria-invalid") == "true"
        for field in form.find_all("input", name="recording")
    )
    # The picker is still open: a valid choice goes through afterwards.
    recording = folder_created.recordings.first()
    answer = client.post(
        ANSWER_PATH, {"launch": launch_id(form), "recording": str(recording.public_id)}
    )
    assert answer_form(answer)[0] == RETURN_URL


def test_the_picker_answers_once(world, folder_created):
    client, page = open_picker(world)
    form = {"launch": launch_id(page), "action": "cancel"}
    assert client.post(ANSWER_PATH, form).status_code == 200
    again = client.post(ANSWER_PATH, form)
    assert again.status_code == 400
    assert 'data-refusal="picker_answered"' in again.content.decode()


def test_the_answer_needs_the_pickers_own_signed_in_user(world, folder_created):
    client, page = open_picker(world)
    form = {"launch": launch_id(page), "action": "cancel"}
    signed_out = Client().post(ANSWER_PATH, form)
    assert signed_out.status_code == 403
    # A member's stand-in session (their own launch) cannot answer the administrator's picker.
    member = Client()
    launch_through_portal(member, world.member, world.course)
    foreign = member.post(ANSWER_PATH, form)
    assert foreign.status_code == 400
    assert 'data-refusal="picker_unknown"' in foreign.content.decode()
    unknown = client.post(ANSWER_PATH, {**form, "launch": "lti1p3-launch-unknown"})
    assert 'data-refusal="picker_unknown"' in unknown.content.decode()
    assert not ConsumedNonce.objects.filter(nonce__startswith="deep-link-answer:").exists()
    assert client.post(ANSWER_PATH, form).status_code == 200  # the owner still can


def test_the_answer_needs_a_creator_of_the_folder_still(world, folder_created):
    client, page = open_picker(world)
    folder_created.accesses.update(role=FolderRole.VIEWER)
    refused = client.post(ANSWER_PATH, {"launch": launch_id(page), "action": "cancel"})
    assert 'data-refusal="picker_unknown"' in refused.content.decode()


def test_the_pickers_form_is_protected_against_cross_site_requests(world, folder_created):
    client, page = open_picker(world)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    form = {"launch": launch_id(page), "action": "cancel"}
    assert strict.post(ANSWER_PATH, form).status_code == 403
    token = page.find("input", name="csrfmiddlewaretoken").attrs["value"]
    assert strict.post(ANSWER_PATH, {**form, "csrfmiddlewaretoken": token}).status_code == 200


def test_picker_sets_the_stand_ins_own_cross_site_session(world, folder_created):
    client = Client()
    answer = pick_through_portal(client, world.admin, world.course)
    cookie = answer.cookies["panopto_sim_session"]
    assert (cookie["samesite"], cookie["secure"], cookie["httponly"]) == ("None", True, True)
    assert "sessionid" not in answer.cookies


# --- the viewer ------------------------------------------------------------------------------


def test_viewer_refuses_a_recording_in_a_folder_the_user_may_not_enter(world, folder_created):
    client = Client()
    launch_through_portal(client, world.member, world.course)
    own = folder_created.recordings.first()
    assert client.get(f"/panopto-sim/viewer/{own.public_id}/").status_code == 200
    stranger = ToolUser.objects.create(issuer=ISSUER, subject="someone-else")
    other = _folder_create(context_id="other", title="Más", label="X1", creator=stranger)
    foreign = other.recordings.first()
    assert client.get(f"/panopto-sim/viewer/{foreign.public_id}/").status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/panopto-sim/viewer/{unknown}/").status_code == 404
    assert Client().get(f"/panopto-sim/viewer/{own.public_id}/").status_code == 403


def test_a_video_whose_recording_was_deleted_lands_on_not_found(world, folder_created):
    client, page = open_picker(world)
    recording = folder_created.recordings.first()
    answer = client.post(
        ANSWER_PATH, {"launch": launch_id(page), "recording": str(recording.public_id)}
    )
    Client().post(*[answer_form(answer)[0]], {"JWT": answer_form(answer)[1]})
    Recording.objects.filter(pk=recording.pk).delete()
    member = Client()
    launched = open_video_through_portal(member, world.member, VideoLink.objects.get())
    assert launched.status_code == 303
    assert member.get(launched["Location"]).status_code == 404


def test_a_recording_picked_again_through_the_shared_launch_url_is_linked_once(
    world, folder_created
):
    """Every item shares the launch URL: only the custom map tells recordings apart, and the
    portal links each once however often it is picked (issue 21)."""
    first, second = list(folder_created.recordings.all())[:2]

    def pick(*recordings):
        client, page = open_picker(world)
        chosen = [str(recording.public_id) for recording in recordings]
        action, token = answer_form(
            client.post(ANSWER_PATH, {"launch": launch_id(page), "recording": chosen})
        )
        return Client().post(action, {"JWT": token})

    assert pick(first, second).status_code == 200
    assert VideoLink.objects.count() == 2
    assert pick(second).status_code == 200
    assert VideoLink.objects.count() == 2
    outcome = (
        LaunchRecord.objects.filter(stage=LaunchStage.DEEP_LINKING_RETURN).order_by("pk").last()
    )
    assert "0 video(s) linked. 1 linked already." in outcome.detail

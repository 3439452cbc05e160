"""Deep Linking 2.0: the administrator picks videos in the tool, the portal verifies the tool's
response before trusting any of it, and members open the videos as Viewer."""

import time

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pylti1p3.deep_link_resource import DeepLinkResource

from panopto_link.lti import claims
from panopto_link.lti_platform.models import (
    ConsumedToken,
    LaunchOutcome,
    LaunchRecord,
    LaunchStage,
)
from panopto_link.models import VideoLink
from tests.html import parse
from tests.jwks_server import JwksServer
from tests.lti_tool import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    TOOL_LAUNCH_URL,
    Pylti1p3Tool,
    form_fields,
    picker_data,
    query,
    rsa_key_pair,
    tool_conf,
)
from tests.metrics import Counted

pytestmark = pytest.mark.django_db
RETURN_URL = "/lti/deep-linking/return/"
STEPS = "neptun_lti_launch_steps_total"
REFUSALS = "neptun_lti_launch_refusals_total"
FETCHES = "neptun_outbound_fetches_total"
VIDEO_URL = "https://panopto.example.com/Panopto/LTI/LTI13.aspx?id=video-1"


@pytest.fixture(scope="module")
def tool_keys():
    return rsa_key_pair()


@pytest.fixture
def jwks_server(tool_keys):
    from pylti1p3.registration import Registration

    server = JwksServer()
    jwk = Registration.get_jwk(tool_keys[1])
    server.document = {"keys": [jwk]}
    server.kid = jwk["kid"]
    yield server
    server.close()


@pytest.fixture
def tool_registered(registration, jwks_server):
    """The portal's registration names the tool's JWKS server."""
    registration.jwks_url = jwks_server.url
    registration.save()
    return registration


@pytest.fixture
def dl_tool(client, tool_registered, tool_keys):
    conf = tool_conf(key_set=client.get("/.well-known/jwks.json").json())
    conf.set_private_key(ISSUER, tool_keys[0], client_id=CLIENT_ID)
    conf.set_public_key(ISSUER, tool_keys[1], client_id=CLIENT_ID)
    return Pylti1p3Tool(conf)


def picker_launch(client, world, tool):
    """The administrator clicks "Add videos"; the tool receives the deep-linking request."""
    client.force_login(world.admin)
    initiation = client.post(f"/panopto/videos/{world.course.pk}/pick/")
    assert initiation.status_code == 302
    login = tool.login(query(initiation["Location"]))
    _action, fields = form_fields(client.get(login.auth_url).content.decode())
    assert "id_token" in fields, fields
    return tool.launch(fields, login.cookies)


def resources(*urls: str) -> list[DeepLinkResource]:
    return [
        DeepLinkResource()
        .set_url(url)
        .set_title(f"Előadás {index}")
        .set_custom_params({"panopto_session": f"s-{index}"})
        for index, url in enumerate(urls, start=1)
    ]


def test_administrator_picks_videos_and_a_member_opens_one_as_viewer(client, world, dl_tool):
    world.create_context()
    launch = picker_launch(client, world, dl_tool)
    assert launch.is_deep_link_launch() and launch.check_teacher_access()
    settings = launch.get_launch_data()[claims.DEEP_LINKING_SETTINGS]
    assert settings["deep_link_return_url"] == ISSUER + RETURN_URL
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_presentation_document_targets"] == ["iframe", "window"]
    assert settings["accept_multiple"] is True and settings["data"]

    second = VIDEO_URL.replace("video-1", "video-2")
    response_jwt = launch.get_deep_link().get_response_jwt(resources(VIDEO_URL, second))
    # The tool's form post arrives cross-site: no portal session cookie comes with it.
    result = Client(enforce_csrf_checks=True).post(RETURN_URL, {"JWT": response_jwt})
    assert result.status_code == 200, result.content.decode()
    videos = list(VideoLink.objects.filter(space=world.course))
    assert [(v.title, v.url, v.position) for v in videos] == [
        ("Előadás 1", VIDEO_URL, 1),
        ("Előadás 2", second, 2),
    ]
    assert videos[0].custom == {"panopto_session": "s-1"} and videos[0].created_by == world.admin

    member = Client()
    member.force_login(world.member)
    initiation = member.post(f"/panopto/videos/{world.course.pk}/{videos[0].pk}/open/")
    params = query(initiation["Location"])
    assert params["target_link_uri"] == VIDEO_URL
    login = dl_tool.login(params)
    fields = form_fields(member.get(login.auth_url).content.decode())[1]
    data = dl_tool.launch(fields, login.cookies).get_launch_data()
    assert data[claims.ROLES] == [claims.ROLE_LEARNER]
    assert data[claims.RESOURCE_LINK]["id"] == videos[0].resource_link_id
    assert data[claims.RESOURCE_LINK]["title"] == "Előadás 1"
    assert data[claims.TARGET_LINK_URI] == VIDEO_URL
    assert data[claims.CUSTOM] == {"panopto_session": "s-1"}


def test_only_the_administrator_gets_the_picker_once_the_folder_exists(client, world):
    client.force_login(world.admin)
    response = client.post(f"/panopto/videos/{world.course.pk}/pick/")
    assert response.status_code == 403  # the folder's context is not created yet
    world.create_context()
    client.force_login(world.member)
    assert client.post(f"/panopto/videos/{world.course.pk}/pick/").status_code == 403
    assert sorted(LaunchRecord.objects.values_list("reason", flat=True)) == [
        "not_video_picker",  # the member
        "picker_before_context",  # the administrator, before the first launch
    ]
    assert not LaunchRecord.objects.filter(outcome=LaunchOutcome.ACCEPTED).exists()


def test_members_cannot_manage_videos_and_administrators_can(client, world):
    world.create_context()
    first = VideoLink.objects.create(space=world.course, title="A", url=VIDEO_URL, position=1)
    second = VideoLink.objects.create(space=world.course, title="B", url=VIDEO_URL, position=2)
    client.force_login(world.member)
    url = f"/panopto/videos/{world.course.pk}/{second.pk}/manage/"
    # A member sees the space, so the refusal is a 403 (not the 404 of "not yours"), which
    # names who manages the videos and leads back to the space (issue 25 item 12).
    refusal = client.post(url, {"action": "up"}, HTTP_ACCEPT_LANGUAGE="hu")
    assert refusal.status_code == 403
    document = parse(refusal)
    assert "A tér videóit csak a tér oktatója kezelheti." in document.text
    back = document.find("a", href=f"/spaces/{world.course.pk}/")
    assert back is not None and back.text == f"Vissza a térhez ({world.course.name})"
    client.force_login(world.public_guest)
    assert client.post(url, {"action": "remove"}).status_code == 403
    world.course.is_public = False
    world.course.save()
    assert client.post(url, {"action": "remove"}).status_code == 404
    world.course.is_public = True
    world.course.save()
    assert VideoLink.objects.count() == 2
    client.force_login(world.admin)
    assert client.post(url, {"action": "up"}).status_code == 302
    assert list(VideoLink.objects.order_by("position").values_list("title", flat=True)) == [
        "B",
        "A",
    ]
    assert client.post(url, {"action": "remove"}).status_code == 302
    assert list(VideoLink.objects.values_list("pk", flat=True)) == [first.pk]
    first_url = f"/panopto/videos/{world.course.pk}/{first.pk}/manage/"
    unknown = client.post(first_url, {"action": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 400  # the portal's error page, not a bare line of text
    assert "<h1" in unknown.content.decode() and "Unknown action." in unknown.content.decode()


# --- the return endpoint's refusal table -----------------------------------------------------


@pytest.fixture
def good_claims(world, registration):
    world.create_context()
    registration.refresh_from_db()

    def build(**changes) -> dict:
        now = int(time.time())
        body = {
            "iss": CLIENT_ID,
            "aud": [ISSUER],
            "iat": now,
            "exp": now + 600,
            "nonce": f"nonce-{time.monotonic_ns()}",
            claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
            claims.VERSION: "1.3.0",
            claims.DL_CONTENT_ITEMS: [
                {"type": "ltiResourceLink", "title": "Előadás", "url": VIDEO_URL}
            ],
            claims.DL_DATA: picker_data(space=world.course, user=world.admin),
        }
        for name, value in changes.items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return body

    return build


def signed(body: dict, key_pem: str, kid: str, **header) -> str:
    return jwt.encode(body, key_pem, algorithm="RS256", headers={"kid": kid, **header})


def post(token: str):
    return Client().post(RETURN_URL, {"JWT": token}, HTTP_ACCEPT_LANGUAGE="en")


def outcome_page(response, user, language: str = "en"):
    """The page the return's answer goes on to (same-site, signed in as `user`): the space's
    page, its videos section saying what was added (issue 25 item 5)."""
    document = parse(response.content)
    form = document.find("form", id="lti-form-post")
    assert form.attrs["method"] == "get"
    client = Client()
    client.force_login(user)
    value = form.find("input", name="outcome").attrs["value"]
    landed = client.get(form.attrs["action"], {"outcome": value}, HTTP_ACCEPT_LANGUAGE=language)
    assert landed.status_code == 302, landed.content.decode()[:500]
    assert landed["Location"].endswith("#videos")
    page = client.get(landed["Location"], HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200, page.content.decode()[:500]
    return page


def video_messages(page) -> list[str]:
    """The messages of the space page's videos section."""
    section = page.find("section", id="videos")
    return [li.text for li in section.find("ul", class_="messages").find_all("li")]


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 400, response.content.decode()[:500]
    assert reason in response.content.decode()
    assert VideoLink.objects.count() == 0
    assert ConsumedToken.objects.count() == 0
    record = LaunchRecord.objects.get(stage=LaunchStage.DEEP_LINKING_RETURN)
    assert (record.outcome, record.reason) == (LaunchOutcome.REFUSED, reason)


def test_good_response_is_accepted(tool_registered, good_claims, tool_keys, jwks_server):
    response = post(signed(good_claims(), tool_keys[0], jwks_server.kid))
    assert response.status_code == 200
    assert VideoLink.objects.count() == 1


def test_bad_signature(tool_registered, good_claims, jwks_server):
    other_private, _public = rsa_key_pair()
    assert_refused(post(signed(good_claims(), other_private, jwks_server.kid)), "bad_signature")


def test_unknown_kid_is_refetched_once_then_refused(tool_registered, good_claims, jwks_server):
    other_private, _public = rsa_key_pair()
    assert_refused(post(signed(good_claims(), other_private, "rotated-away")), "unknown_kid")
    assert jwks_server.fetches == 2  # the first fetch, then one refetch for the unknown kid


def test_a_rotated_tool_key_is_found_by_the_refetch(
    tool_registered, good_claims, jwks_server, tool_keys
):
    from pylti1p3.registration import Registration

    assert post(signed(good_claims(), tool_keys[0], jwks_server.kid)).status_code == 200
    new_private, new_public = rsa_key_pair()
    new_jwk = Registration.get_jwk(new_public)
    jwks_server.document = {"keys": [new_jwk]}
    response = post(signed(good_claims(), new_private, new_jwk["kid"]))
    assert response.status_code == 200
    assert jwks_server.fetches == 2


def test_tool_keys_unreachable(tool_registered, good_claims, jwks_server, tool_keys):
    jwks_server.status = 500
    assert_refused(
        post(signed(good_claims(), tool_keys[0], jwks_server.kid)), "tool_keys_unavailable"
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "another-client"}, "wrong_issuer"),
        ({"aud": ["https://another-platform.example"]}, "wrong_audience"),
        ({"aud": "https://another-platform.example"}, "wrong_audience"),
        ({"aud": [ISSUER, "https://x.example"]}, "wrong_audience"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "expired"),
        ({"iat": int(time.time()) + 3600}, "not_yet_valid"),
        # exp a day ahead: the table is built at collection, minutes before this test runs.
        ({"iat": int(time.time()) - 7200, "exp": int(time.time()) + 86400}, "too_old"),
        ({"exp": None}, "missing_claim"),
        ({"iat": None}, "missing_claim"),
        ({"nonce": None}, "missing_claim"),
        # Stored to be refused a second time: PostgreSQL stores no NUL (a 500, found from outside).
        ({"nonce": "n\x00-1"}, "missing_claim"),
        ({"nonce": "n-\x1b[31m"}, "missing_claim"),
        ({claims.DEPLOYMENT_ID: "deployment-2"}, "wrong_deployment"),
        ({claims.MESSAGE_TYPE: "LtiResourceLinkRequest"}, "wrong_message_type"),
        ({claims.VERSION: "1.1"}, "wrong_version"),
        ({claims.DL_DATA: None}, "wrong_data"),
        ({claims.DL_DATA: "not-our-data"}, "wrong_data"),
    ],
    ids=[
        "wrong-iss",
        "wrong-aud",
        "wrong-aud-string",
        "two-auds-no-azp",
        "expired",
        "iat-in-future",
        "too-old",
        "no-exp",
        "no-iat",
        "no-nonce",
        "nonce-with-nul",
        "nonce-with-escape",
        "wrong-deployment",
        "wrong-message-type",
        "wrong-version",
        "no-data",
        "foreign-data",
    ],
)
def test_refusals(tool_registered, good_claims, jwks_server, tool_keys, changes, reason):
    assert_refused(post(signed(good_claims(**changes), tool_keys[0], jwks_server.kid)), reason)


def test_string_audience_is_accepted(tool_registered, good_claims, jwks_server, tool_keys):
    response = post(signed(good_claims(aud=ISSUER), tool_keys[0], jwks_server.kid))
    assert response.status_code == 200


def test_tampered_data(tool_registered, good_claims, jwks_server, tool_keys):
    body = good_claims()
    data = body[claims.DL_DATA]
    body[claims.DL_DATA] = data[:30] + ("A" if data[30] != "A" else "B") + data[31:]
    assert_refused(post(signed(body, tool_keys[0], jwks_server.kid)), "wrong_data")


def test_expired_data(tool_registered, good_claims, jwks_server, tool_keys, world):
    old = picker_data(space=world.course, user=world.admin, timestamp=int(time.time()) - 7200)
    body = good_claims(**{claims.DL_DATA: old})
    assert_refused(post(signed(body, tool_keys[0], jwks_server.kid)), "data_expired")


def test_data_for_another_space(tool_registered, good_claims, jwks_server, tool_keys, world):
    """Data naming a space the picking user does not administer."""
    from tests.factories import SpaceFactory

    elsewhere = SpaceFactory()
    data = picker_data(space=elsewhere, user=world.admin)
    body = good_claims(**{claims.DL_DATA: data})
    assert_refused(post(signed(body, tool_keys[0], jwks_server.kid)), "not_visible")


def test_a_non_administrators_picker_launch(
    tool_registered, good_claims, jwks_server, tool_keys, world
):
    data = picker_data(space=world.course, user=world.member)
    body = good_claims(**{claims.DL_DATA: data})
    assert_refused(post(signed(body, tool_keys[0], jwks_server.kid)), "not_video_picker")


def test_replayed_nonce(tool_registered, good_claims, jwks_server, tool_keys):
    body = good_claims()
    assert post(signed(body, tool_keys[0], jwks_server.kid)).status_code == 200
    # The same nonce again, with fresh data of ours: the nonce alone refuses it.
    replay = {**body, claims.DL_DATA: good_claims()[claims.DL_DATA]}
    response = post(signed(replay, tool_keys[0], jwks_server.kid))
    assert response.status_code == 400 and "nonce_replayed" in response.content.decode()
    assert VideoLink.objects.count() == 1


def test_replayed_data(tool_registered, good_claims, jwks_server, tool_keys):
    body = good_claims()
    assert post(signed(body, tool_keys[0], jwks_server.kid)).status_code == 200
    again = good_claims(**{claims.DL_DATA: body[claims.DL_DATA]})
    response = post(signed(again, tool_keys[0], jwks_server.kid))
    assert response.status_code == 400 and "data_replayed" in response.content.decode()
    assert VideoLink.objects.count() == 1


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_the_token_never_chooses_its_algorithm(
    tool_registered, good_claims, jwks_server, tool_keys, alg
):
    body = good_claims()
    if alg == "none":
        token = jwt.encode(body, None, algorithm="none", headers={"kid": jwks_server.kid})
    else:
        # HS256 keyed with the tool's *public* key: the classic key-confusion attack.
        import hashlib
        import hmac
        import json as jsonlib

        def b64(data: bytes) -> str:
            return jwt.utils.base64url_encode(data).decode()

        header = b64(jsonlib.dumps({"alg": "HS256", "kid": jwks_server.kid}).encode())
        payload = b64(jsonlib.dumps(body).encode())
        mac = hmac.new(tool_keys[1].encode(), f"{header}.{payload}".encode(), hashlib.sha256)
        token = f"{header}.{payload}.{b64(mac.digest())}"
    assert_refused(post(token), "bad_algorithm")


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 300_000])
def test_malformed_tokens(tool_registered, good_claims, token):
    assert_refused(post(token), "malformed")


def test_items_outside_the_tools_site_are_left_out(
    tool_registered, good_claims, jwks_server, tool_keys
):
    items = [
        {"type": "ltiResourceLink", "title": "ok", "url": VIDEO_URL},
        {"type": "ltiResourceLink", "title": "evil", "url": "https://evil.example/x"},
        {"type": "ltiResourceLink", "title": "js", "url": "javascript:alert(1)"},
        {"type": "link", "title": "plain link", "url": VIDEO_URL},
        "not an object",
    ]
    body = good_claims(**{claims.DL_CONTENT_ITEMS: items})
    response = post(signed(body, tool_keys[0], jwks_server.kid))
    assert response.status_code == 200
    assert list(VideoLink.objects.values_list("title", flat=True)) == ["ok"]
    page = outcome_page(response, World_admin(response))
    assert "4 returned items were not Panopto video links" in page.content.decode()


def test_tool_messages_are_shown(tool_registered, good_claims, jwks_server, tool_keys):
    body = good_claims(
        **{
            claims.DL_CONTENT_ITEMS: [],
            claims.DL_ERRORMSG: "A felvétel nem érhető el.",
            claims.DL_ERRORLOG: "session 42 missing",
        }
    )
    response = post(signed(body, tool_keys[0], jwks_server.kid))
    assert response.status_code == 200
    page = outcome_page(response, World_admin(response)).content.decode()
    assert "A felvétel nem érhető el." in page and "session 42" not in page
    # The record says what was done and what the tool logged.
    assert LaunchRecord.objects.get(stage=LaunchStage.DEEP_LINKING_RETURN).detail == (
        "0 video(s) linked. session 42 missing"
    )


def test_return_endpoint_accepts_only_post(client):
    assert client.get(RETURN_URL).status_code == 405


def test_picker_request_reaches_the_tool_with_its_target(client, world, dl_tool, registration):
    world.create_context()
    registration.deep_linking_url = "https://panopto.example.com/Panopto/LTI/DeepLink.aspx"
    registration.save()
    client.force_login(world.admin)
    initiation = client.post(f"/panopto/videos/{world.course.pk}/pick/")
    assert query(initiation["Location"])["target_link_uri"] == registration.deep_linking_url
    assert registration.deep_linking_url != TOOL_LAUNCH_URL


# Committed like a real request: a record naming the deleted space fails only at the commit.
@pytest.mark.django_db(transaction=True)
def test_a_space_deleted_while_its_picker_was_open_is_refused_not_a_500(
    tool_registered, good_claims, jwks_server, tool_keys, world
):
    """The refusal's record must not name the deleted space (found from outside, issue 15)."""
    token = signed(good_claims(), tool_keys[0], jwks_server.kid)
    world.course.delete()
    assert_refused(post(token), "not_visible")
    record = LaunchRecord.objects.get(stage=LaunchStage.DEEP_LINKING_RETURN)
    assert record.outcome == LaunchOutcome.REFUSED and record.space is None
    assert record.user == world.admin


# --- metrics ------------------------------------------------------------------------------------


def test_returns_are_counted_by_outcome_and_the_tools_key_set_by_fetch(
    tool_registered, good_claims, tool_keys, jwks_server, django_capture_on_commit_callbacks
):
    other_private, _public = rsa_key_pair()
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        assert post(signed(good_claims(), tool_keys[0], jwks_server.kid)).status_code == 200
        assert post(signed(good_claims(), tool_keys[0], jwks_server.kid)).status_code == 200
        assert post(signed(good_claims(), other_private, jwks_server.kid)).status_code == 400
    assert counted.added() == {
        (STEPS, (("outcome", "accepted"), ("step", "deep_linking_return"))): 2,
        (STEPS, (("outcome", "refused"), ("step", "deep_linking_return"))): 1,
        (REFUSALS, (("reason", "bad_signature"), ("step", "deep_linking_return"))): 1,
        # One fetch: the copy served the two returns after it.
        (FETCHES, (("document", "panopto_jwks"), ("outcome", "ok"))): 1,
    }
    assert jwks_server.fetches == 1


def test_a_failed_fetch_of_the_tools_key_set_is_counted(
    tool_registered, good_claims, tool_keys, jwks_server, django_capture_on_commit_callbacks
):
    jwks_server.status = 500
    with Counted() as counted, django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # the failure is remembered: asked once
            assert post(signed(good_claims(), tool_keys[0], jwks_server.kid)).status_code == 400
    assert counted(FETCHES, document="panopto_jwks", outcome="failed") == 1
    assert counted(FETCHES, document="panopto_jwks", outcome="ok") == 0
    assert counted(REFUSALS, step="deep_linking_return", reason="tool_keys_unavailable") == 3


def World_admin(response):
    return get_user_model().objects.get(username="OKTATO")


# --- what a return shows, the same recording twice, the date and length ------------------------


def test_the_outcome_is_a_full_portal_page_of_the_signed_in_user(
    tool_registered, good_claims, jwks_server, tool_keys, world
):
    response = post(signed(good_claims(), tool_keys[0], jwks_server.kid))
    assert response["Cache-Control"] == "no-store"
    continue_page = parse(response.content)
    assert continue_page.find("h1") is not None  # the auto-submit page has its heading
    page = parse(outcome_page(response, world.admin))
    assert "Gábor Szabó" in page.find("header").text  # signed in: name, menu, sign-out
    assert page.find("nav", class_="main-menu") is not None
    assert page.find("h1").text == world.course.name  # the space's own page, no extra click
    assert video_messages(page) == ["1 video was added to the space: “Előadás”."]
    # The outcome is the user's own: another user, another space, a forged value get a 400.
    value = continue_page.find("input", name="outcome").attrs["value"]
    action = continue_page.find("form").attrs["action"]
    other = Client()
    other.force_login(world.member)
    assert other.get(action, {"outcome": value}).status_code == 400
    admin = Client()
    admin.force_login(world.admin)
    elsewhere = f"/panopto/videos/{world.subject.pk}/linked/"
    assert admin.get(elsewhere, {"outcome": value}).status_code == 400
    assert admin.get(action, {"outcome": value[:-3] + "xyz"}).status_code == 400
    assert admin.get(action).status_code == 400


def quoted(titles: list[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


def item(title: str, url: str, **extra) -> dict:
    return {"type": "ltiResourceLink", "title": title, "url": url, **extra}


def test_a_recording_picked_again_is_not_linked_twice_and_the_page_says_so(
    tool_registered, good_claims, jwks_server, tool_keys, world
):
    first = item("Előadás 1", VIDEO_URL, custom={"context_delivery": "AAA"})
    second = item("Előadás 2", VIDEO_URL.replace("video-1", "video-2"))
    body = good_claims(**{claims.DL_CONTENT_ITEMS: [first, second]})
    post(signed(body, tool_keys[0], jwks_server.kid))
    again = [
        item(
            "Előadás 1, újra",
            VIDEO_URL.replace("https://panopto.example.com", "HTTPS://Panopto.Example.com:443"),
            custom={"context_delivery": "AAA"},
        ),
        item("Előadás 2", second["url"] + "#t=10"),
        item("Új", VIDEO_URL.replace("video-1", "video-3")),
        item("Új", VIDEO_URL.replace("video-1", "video-3")),  # named twice in one answer
    ]
    response = post(
        signed(good_claims(**{claims.DL_CONTENT_ITEMS: again}), tool_keys[0], jwks_server.kid)
    )
    assert response.status_code == 200
    titles = list(VideoLink.objects.filter(space=world.course).values_list("title", "position"))
    assert titles == [("Előadás 1", 1), ("Előadás 2", 2), ("Új", 3)]
    page = parse(outcome_page(response, world.admin, "hu"))
    shown = video_messages(page)
    assert shown[0] == "A portál 1 videót hozzáadott a térhez: „Új”."
    assert shown[1].endswith(": „Előadás 1”, „Előadás 2”.")
    record = LaunchRecord.objects.filter(stage=LaunchStage.DEEP_LINKING_RETURN).first()
    assert record.detail.startswith("1 video(s) linked. 2 linked already.")


# Issue 21: what a tool such as Panopto returns — every item through one launch URL, told
# apart by its custom map — and a registration typed in capitals with the default port.
SHARED_LAUNCH = "https://panopto.example.com/Panopto/LTI/LTI13.aspx"


def delivery(title: str, session: str, *, url: str = SHARED_LAUNCH, **custom) -> dict:
    return item(title, url, custom={"context_delivery": session, **custom})


@pytest.mark.parametrize(
    ("launch_url", "picks", "linked", "already"),
    [
        pytest.param(
            TOOL_LAUNCH_URL,
            [[delivery("A", "s-1"), delivery("B", "s-2")]],
            ["A", "B"],
            [],
            id="same-url-different-custom-maps-are-two-videos",
        ),
        pytest.param(
            TOOL_LAUNCH_URL,
            [[delivery("A", "s-1")], [delivery("A again", "s-1")]],
            ["A"],
            ["A"],
            id="identical-items-are-one-already-linked",
        ),
        pytest.param(
            TOOL_LAUNCH_URL,
            [[delivery("A", "s-1"), delivery("B", "s-2")], [delivery("B", "s-2")]],
            ["A", "B"],
            ["B"],
            id="the-same-recording-picked-in-a-later-pick-is-already-linked",
        ),
        pytest.param(
            TOOL_LAUNCH_URL,
            [[delivery("A", "s-1"), delivery("A sandbox", "s-1", use_panopto_sandbox="true")]],
            ["A", "A sandbox"],
            [],
            id="another-custom-parameter-is-another-video",
        ),
        pytest.param(
            "https://PANOPTO.Example.COM:443/Panopto/LTI/LTI13.aspx",
            [[delivery("A", "s-1")]],
            ["A"],
            [],
            id="registration-host-in-capitals-and-with-443-accepts",
        ),
        pytest.param(
            "https://panopto.example.com:8443/Panopto/LTI/LTI13.aspx",
            [[delivery("A", "s-1")]],
            [],
            [],
            id="another-port-is-another-origin",
        ),
        pytest.param(
            "https://other.example.com/Panopto/LTI/LTI13.aspx",
            [[delivery("A", "s-1")]],
            [],
            [],
            id="another-host-is-refused",
        ),
    ],
)
def test_an_items_identity_is_the_whole_item(
    tool_registered, good_claims, jwks_server, tool_keys, world, launch_url, picks, linked, already
):
    tool_registered.launch_url = launch_url
    tool_registered.deep_linking_url = ""
    tool_registered.site_url = ""
    tool_registered.save()
    for items in picks:
        body = good_claims(**{claims.DL_CONTENT_ITEMS: items})
        response = post(signed(body, tool_keys[0], jwks_server.kid))
        assert response.status_code == 200, response.content.decode()[-500:]
    assert list(VideoLink.objects.order_by("position").values_list("title", flat=True)) == linked
    page = parse(outcome_page(response, world.admin))
    said = [text for text in video_messages(page) if text.startswith("Already among")]
    assert said == (
        [f"Already among the space's videos, so not added again: {quoted(already)}."]
        if already
        else []
    )
    if not linked:
        assert "1 returned item was not a Panopto video link" in page.text


def test_the_picker_request_names_nothing_a_panopto_does_not_read(client, world, dl_tool):
    """No custom parameter of the portal's own invention goes to the picker: Panopto's public
    integrations show none that lists linked recordings (issue 21)."""
    world.create_context()
    VideoLink.objects.create(
        space=world.course, title="a", url=VIDEO_URL, custom={"context_delivery": "R-1"}
    )
    launch = picker_launch(client, world, dl_tool)
    assert launch.get_launch_data().get(claims.CUSTOM, {}) == {}


@pytest.mark.parametrize(
    ("extra", "recorded_on", "duration"),
    [
        ({"recorded_at": "2026-11-10T10:15:00+01:00", "duration": "PT1H34M"}, "2026-11-10", 5640),
        ({"recorded_at": "2026-11-10", "duration": 330}, "2026-11-10", 330),
        ({"recorded_at": "10/11/2026", "duration": "soon"}, None, None),
        ({}, None, None),
    ],
)
def test_a_recordings_date_and_length_are_kept_when_the_tool_sends_them(
    tool_registered, good_claims, jwks_server, tool_keys, world, extra, recorded_on, duration
):
    body = good_claims(**{claims.DL_CONTENT_ITEMS: [item("Előadás", VIDEO_URL, **extra)]})
    assert post(signed(body, tool_keys[0], jwks_server.kid)).status_code == 200
    video = VideoLink.objects.get()
    assert (str(video.recorded_on) if video.recorded_on else None, video.duration_seconds) == (
        recorded_on,
        duration,
    )
    client = Client()
    client.force_login(world.member)
    facts = parse(client.get(f"/spaces/{world.course.pk}/", HTTP_ACCEPT_LANGUAGE="hu")).find(
        class_="video-list__facts"
    )
    if recorded_on is None:
        assert facts is None
    else:
        assert "2026. 11. 10." in facts.text
        assert ("1:34:00" if duration == 5640 else "5:30") in facts.text


def play_launch_custom(client, world, tool, video) -> dict:
    """The custom claim of a member's Play launch of `video`, as the tool receives it."""
    member = Client()
    member.force_login(world.member)
    initiation = member.post(f"/panopto/videos/{world.course.pk}/{video.pk}/open/")
    login = tool.login(query(initiation["Location"]))
    fields = form_fields(member.get(login.auth_url).content.decode())[1]
    return tool.launch(fields, login.cookies).get_launch_data()[claims.CUSTOM]


# The custom parameters Panopto's own integrations send (docs/connecting-panopto.md, from
# the public source of its Blackboard and Moodle plugins).
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("use_panopto_sandbox", "true"),
        ("panopto_show_tabs", "false"),
        ("use_panopto_interactive_view", "true"),
        ("panopto_single_selection", "true"),
        ("context_delivery", "8d1f7c2e-3c4a-4f7b-9a51-0b5e2f0c9d11"),
    ],
)
def test_a_play_launch_sends_panoptos_custom_parameter_unchanged(
    client, world, dl_tool, key, value
):
    world.create_context()
    launch = picker_launch(client, world, dl_tool)
    answer = launch.get_deep_link().get_response_jwt(
        [
            DeepLinkResource()
            .set_url(TOOL_LAUNCH_URL)
            .set_title("Előadás")
            .set_custom_params({"context_delivery": "s-1", key: value})
        ]
    )
    assert Client().post(RETURN_URL, {"JWT": answer}).status_code == 200
    video = VideoLink.objects.get()
    assert play_launch_custom(client, world, dl_tool, video) == {
        "context_delivery": "s-1",
        key: value,
    }


def test_the_portals_own_parameters_win_over_the_registrations_and_the_items(
    client, world, dl_tool, tool_registered
):
    """In one claim: the registration's parameters, the item's over them, and the portal's
    own (the identifier's parameter) over both."""
    world.create_context()
    tool_registered.custom_parameters = "panopto_show_tabs=true\ngrading_not_supported=true"
    tool_registered.identifier_parameter = "neptun_code"
    tool_registered.save()
    video = VideoLink.objects.create(
        space=world.course,
        title="Előadás",
        url=TOOL_LAUNCH_URL,
        custom={"context_delivery": "s-1", "panopto_show_tabs": "false", "neptun_code": "X"},
    )
    assert play_launch_custom(client, world, dl_tool, video) == {
        "grading_not_supported": "true",
        "panopto_show_tabs": "false",
        "context_delivery": "s-1",
        "neptun_code": world.member.username,
    }

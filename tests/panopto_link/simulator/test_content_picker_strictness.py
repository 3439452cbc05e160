"""The content picker's refusal table: deep-linking requests forged with the platform's real
signing key that the stand-in must refuse at its picker URL, through the same checks as every
launch; which of its URLs a login may name and where the id_token then goes; the viewer's
launch; and the proof that plain pylti1p3 accepts what the picker refuses."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from panopto_link.lti import claims
from panopto_link.simulator.models import ConsumedNonce, Folder, Recording
from tests.html import parse
from tests.lti_tool import ISSUER, TOOL_LAUNCH_URL, Pylti1p3Tool, query
from tests.panopto_link.simulator.conftest import (
    DEEP_LINK_PATH,
    DEEP_LINK_URL,
    LAUNCH_PATH,
    LAUNCH_URL,
    LOGIN_PATH,
    OTHER_DEPLOYMENT,
    STAND_IN_ORIGIN,
)
from tests.panopto_link.simulator.test_content_picker import ANSWER_PATH, answer_form, verified
from tests.panopto_link.simulator.test_strictness import (
    DROP,
    assert_refused,
    forge,
    launch_claims,
    login_params,
    plain_tool_conf,
    relative_times,
    stand_in_login,
)

pytestmark = pytest.mark.django_db

SETTINGS = {
    "deep_link_return_url": ISSUER + "/lti/deep-linking/return/",
    "accept_types": ["ltiResourceLink"],
    "accept_presentation_document_targets": ["iframe", "window"],
    "accept_multiple": True,
    "data": "the-platforms-data",
}


def deep_link_claims(nonce: str, *, target: str = DEEP_LINK_URL, changes: dict | None = None):
    """An instructor's deep-linking request the picker accepts, with `changes` applied."""
    base = {
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_REQUEST,
        claims.DEEP_LINKING_SETTINGS: SETTINGS,
        claims.RESOURCE_LINK: DROP,
        claims.LAUNCH_PRESENTATION: {"locale": "en"},
    }
    return launch_claims(nonce, target=target, changes={**base, **(changes or {})})


def picker_login(client: Client) -> tuple[str, str]:
    return stand_in_login(client, target=DEEP_LINK_URL)


def post_picker(client: Client, id_token: str, state: str):
    return client.post(DEEP_LINK_PATH, {"id_token": id_token, "state": state})


def open_forged_picker(client: Client, **changes):
    state, nonce = picker_login(client)
    response = post_picker(client, forge(deep_link_claims(nonce, changes=changes)), state)
    assert response.status_code == 200, response.content.decode()[-800:]
    return parse(response)


def test_a_well_formed_forged_deep_linking_request_opens_the_picker(client, standin):
    login = client.get(LOGIN_PATH, login_params(target=DEEP_LINK_URL))
    assert query(login["Location"])["redirect_uri"] == DEEP_LINK_URL
    sent = query(login["Location"])
    response = post_picker(client, forge(deep_link_claims(sent["nonce"])), sent["state"])
    assert response.status_code == 200, response.content.decode()[-800:]
    folder = Folder.objects.get(context_id="context-1")
    page = parse(response)
    assert page.find("section", class_="sim-picker").attrs["data-folder"] == folder.context_id
    assert len(page.find_all("input", name="recording", type="checkbox")) == 3


PICKER_REFUSALS = [
    pytest.param(
        {
            claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST,
            claims.DEEP_LINKING_SETTINGS: DROP,
            claims.RESOURCE_LINK: {"id": "resource-link-1"},
        },
        "wrong_message_type",
        id="resource-link-at-picker-url",
    ),
    pytest.param({claims.ROLES: [claims.ROLE_LEARNER]}, "not_instructor", id="learner"),
    pytest.param(
        {claims.ROLES: [claims.ROLE_LEARNER, claims.INSTITUTION_GUEST]},
        "not_instructor",
        id="guest",
    ),
    pytest.param({claims.ROLES: []}, "not_instructor", id="no-role"),
    pytest.param({"exp": DROP}, "missing_claim", id="exp-missing"),
    pytest.param({"iat": DROP}, "missing_claim", id="iat-missing"),
    pytest.param({"iat": 60, "exp": 360}, "issued_in_future", id="iat-in-the-future"),
    pytest.param({"iat": -3600, "exp": 300}, "too_old", id="iat-too-old"),
    pytest.param({"iat": -400, "exp": -100}, "expired", id="expired"),
    pytest.param({"azp": "another-tool"}, "wrong_azp", id="azp-wrong"),
    pytest.param(
        {claims.TARGET_LINK_URI: LAUNCH_URL}, "target_link_uri_mismatch", id="target-other"
    ),
    pytest.param(
        {claims.DEPLOYMENT_ID: OTHER_DEPLOYMENT},
        "deployment_mismatch",
        id="deployment-other-than-login",
    ),
    pytest.param({claims.DEEP_LINKING_SETTINGS: DROP}, "launch_refused", id="no-settings"),
    pytest.param(
        {claims.DEEP_LINKING_SETTINGS: {**SETTINGS, "accept_types": ["link"]}},
        "launch_refused",
        id="no-resource-links-accepted",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), PICKER_REFUSALS)
def test_picker_refuses_a_deep_linking_request_with(
    client, registration_two_deployments, changes, reason
):
    state, nonce = picker_login(client)
    body = deep_link_claims(nonce, changes=relative_times(changes))
    assert_refused(post_picker(client, forge(body), state), reason)
    assert not ConsumedNonce.objects.exists()  # a refused request does not burn the nonce


def test_a_replayed_deep_linking_request_is_refused(client, standin):
    state, nonce = picker_login(client)
    form = {"id_token": forge(deep_link_claims(nonce)), "state": state}
    assert client.post(DEEP_LINK_PATH, form).status_code == 200
    Folder.objects.all().delete()
    assert_refused(client.post(DEEP_LINK_PATH, form), "nonce_replayed")
    assert_refused(Client().post(DEEP_LINK_PATH, form), "nonce_replayed")


def test_a_deep_linking_request_with_the_nonce_of_another_login_is_refused(client, standin):
    state_a, _nonce_a = picker_login(client)
    _state_b, nonce_b = picker_login(client)
    assert_refused(
        post_picker(client, forge(deep_link_claims(nonce_b)), state_a), "nonce_not_of_state"
    )


def test_a_deep_linking_request_at_the_launch_url_is_refused(client, standin):
    state, nonce = picker_login(client)
    response = client.post(
        LAUNCH_PATH, {"id_token": forge(deep_link_claims(nonce)), "state": state}
    )
    assert_refused(response, "wrong_message_type")


def test_a_launch_whose_login_named_the_picker_is_refused_at_the_launch_url(client, standin):
    state, nonce = picker_login(client)
    body = launch_claims(nonce, target=DEEP_LINK_URL)
    assert_refused(
        client.post(LAUNCH_PATH, {"id_token": forge(body), "state": state}), "wrong_endpoint"
    )


def test_a_picker_request_whose_login_named_the_launch_url_is_refused_at_the_picker(
    client, standin
):
    state, nonce = stand_in_login(client, target=LAUNCH_URL)
    body = deep_link_claims(nonce, target=LAUNCH_URL)
    assert_refused(post_picker(client, forge(body), state), "wrong_endpoint")


# --- which of the stand-in's URLs a login may name ---------------------------------------------

VIEWER_PATH = "/panopto-sim/viewer/6f1c2a3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f/"


@pytest.mark.parametrize(
    ("target", "redirect_uri"),
    [
        pytest.param(LAUNCH_URL, LAUNCH_URL, id="dashboard"),
        pytest.param(DEEP_LINK_URL, DEEP_LINK_URL, id="picker"),
        pytest.param(STAND_IN_ORIGIN + VIEWER_PATH, LAUNCH_URL, id="viewer"),
    ],
)
def test_a_login_posts_the_id_token_to_its_targets_endpoint(client, standin, target, redirect_uri):
    response = client.get(LOGIN_PATH, login_params(target=target))
    assert response.status_code == 302, response.content.decode()
    assert query(response["Location"])["redirect_uri"] == redirect_uri


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(DEEP_LINK_URL + "?next=https://evil.example/", id="picker-with-query"),
        pytest.param(STAND_IN_ORIGIN + VIEWER_PATH + "#t=1", id="viewer-with-fragment"),
        pytest.param(STAND_IN_ORIGIN + "/panopto-sim/viewer/not-a-uuid/", id="viewer-bad-id"),
        pytest.param(STAND_IN_ORIGIN + "/panopto-sim/deep-link/answer/", id="picker-answer"),
        pytest.param(STAND_IN_ORIGIN + "/panopto-sim/jwks.json", id="jwks"),
        pytest.param(STAND_IN_ORIGIN + "/panopto-sim/", id="dashboard-page"),
        pytest.param(STAND_IN_ORIGIN + "//panopto-sim/deep-link/", id="double-slash"),
        pytest.param("http://127.0.0.1/panopto-sim/deep-link/", id="other-origin"),
        pytest.param(ISSUER + "/lti/deep-linking/return/", id="the-platform"),
    ],
)
def test_a_login_naming_no_launch_target_of_the_stand_in_is_refused(client, standin, target):
    response = client.get(LOGIN_PATH, login_params(target=target))
    assert response.status_code == 400
    assert 'data-refusal="foreign_target_link_uri"' in response.content.decode()
    assert "Location" not in response


# --- the launch of a returned item -------------------------------------------------------------


def recording_launch(client: Client, *, target: str, custom: dict | None = None):
    state, nonce = stand_in_login(client, target=target)
    changes = {claims.CUSTOM: custom} if custom is not None else {}
    body = launch_claims(nonce, target=target, changes=changes)
    return client.post(LAUNCH_PATH, {"id_token": forge(body), "state": state})


@pytest.fixture
def recording(client, standin) -> Recording:
    """A recording of the forged launches' context folder (its instructor has opened it)."""
    state, nonce = stand_in_login(client)
    client.post(LAUNCH_PATH, {"id_token": forge(launch_claims(nonce)), "state": state})
    return Folder.objects.get(context_id="context-1").recordings.first()


def viewer_url(recording: Recording) -> str:
    return f"{STAND_IN_ORIGIN}/panopto-sim/viewer/{recording.public_id}/"


@pytest.mark.parametrize("with_custom", [True, False])
def test_a_launch_to_a_viewer_url_opens_the_recording(recording, with_custom):
    client = Client()
    custom = {"context_delivery": str(recording.public_id)} if with_custom else None
    response = recording_launch(client, target=viewer_url(recording), custom=custom)
    assert response.status_code == 303
    assert response["Location"] == f"/panopto-sim/viewer/{recording.public_id}/"
    page = parse(client.get(response["Location"]))
    assert page.find("article").attrs["data-role"] == "creator"


def test_a_launch_to_the_launch_url_with_a_context_delivery_opens_the_recording(recording):
    custom = {"context_delivery": str(recording.public_id)}
    response = recording_launch(Client(), target=LAUNCH_URL, custom=custom)
    assert response["Location"] == f"/panopto-sim/viewer/{recording.public_id}/"


@pytest.mark.parametrize(
    ("named", "reason"),
    [
        pytest.param("00000000-0000-4000-8000-000000000000", "recording_mismatch", id="other"),
        pytest.param("not-a-uuid", "bad_recording", id="not-a-uuid"),
    ],
)
def test_a_custom_context_delivery_that_disagrees_with_the_target_is_refused(
    recording, named, reason
):
    response = recording_launch(
        Client(), target=viewer_url(recording), custom={"context_delivery": named}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-refusal="{reason}"' in html
    assert "panopto_sim_session" not in response.cookies


# --- what the platform's settings allow ------------------------------------------------------


def test_a_platform_accepting_one_frame_gets_radios_one_item_and_an_iframe_hint(client, standin):
    single = {
        **SETTINGS,
        "accept_multiple": False,
        "accept_presentation_document_targets": ["iframe"],
    }
    del single["data"]
    page = open_forged_picker(client, **{claims.DEEP_LINKING_SETTINGS: single})
    fields = page.find_all("input", name="recording")
    assert [field.attrs["type"] for field in fields] == ["radio"] * 3
    form = {"launch": page.find("input", name="launch").attrs["value"]}
    two = client.post(
        ANSWER_PATH, {**form, "recording": [fields[0].attrs["value"], fields[1].attrs["value"]]}
    )
    assert two.status_code == 400
    assert parse(two).find("p", role="alert").text == (
        "Only one recording can be added here: choose one."
    )
    answer = client.post(ANSWER_PATH, {**form, "recording": fields[0].attrs["value"]})
    action, token = answer_form(answer)
    assert action == SETTINGS["deep_link_return_url"]
    body = verified(token)
    assert claims.DL_DATA not in body  # no data was sent, so none comes back
    (item,) = body[claims.DL_CONTENT_ITEMS]
    assert item["iframe"] == {"width": 720, "height": 480} and "window" not in item


def test_the_platforms_data_comes_back_unchanged(client, standin):
    page = open_forged_picker(client)
    answer = client.post(
        ANSWER_PATH,
        {"launch": page.find("input", name="launch").attrs["value"], "action": "cancel"},
    )
    assert verified(answer_form(answer)[1])[claims.DL_DATA] == SETTINGS["data"]


def test_picker_query_count_does_not_grow_with_the_recordings(
    client, standin, django_assert_num_queries
):
    open_forged_picker(client)  # creates the folder and fetches the platform's key set

    def open_again():
        state, nonce = picker_login(client)
        token = forge(deep_link_claims(nonce))
        return lambda: post_picker(client, token, state)

    post = open_again()
    with CaptureQueriesContext(connection) as first:
        assert post().status_code == 200
    count = len(first.captured_queries)  # the next request resets Django's query log
    folder = Folder.objects.get()
    Recording.objects.bulk_create(
        Recording(
            folder=folder,
            title=f"Extra {number}",
            duration_seconds=60,
            recorded_at=folder.created_at,
            position=10 + number,
        )
        for number in range(6)
    )
    post = open_again()
    with django_assert_num_queries(count):
        page = parse(post())
    assert len(page.find_all("input", name="recording")) == 9


# --- plain pylti1p3 would have accepted them -------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({claims.ROLES: [claims.ROLE_LEARNER]}, id="learner"),
        pytest.param({claims.TARGET_LINK_URI: LAUNCH_URL}, id="target-other"),
    ],
)
def test_plain_pylti1p3_accepts_deep_linking_requests_the_picker_refuses(client, standin, changes):
    tool = Pylti1p3Tool(plain_tool_conf(client.get("/.well-known/jwks.json").json()))
    login = tool.login(login_params(target=TOOL_LAUNCH_URL))
    body = deep_link_claims(login.params["nonce"], target=TOOL_LAUNCH_URL, changes=changes)
    form = {"id_token": forge(body), "state": login.params["state"]}
    launch = tool.launch(form, login.cookies)  # raises on refusal
    assert launch.is_deep_link_launch()

"""The stand-in's refusal table: launches forged with the platform's real signing key (or login
initiations with bad parameters) that the stand-in must refuse, each on its own, and the proof
that plain pylti1p3 would have accepted them, so the checks are the stand-in's own."""

import time
from dataclasses import dataclass, field

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from pylti1p3.tool_config import ToolConfDict

from panopto_link.lti import claims
from panopto_link.lti_platform import keys
from panopto_link.simulator import platform_jwks
from panopto_link.simulator.models import ConsumedNonce, Folder, LoginState, ToolUser
from tests.lti_tool import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    TOOL_LAUNCH_URL,
    Pylti1p3Tool,
    query,
)
from tests.panopto_link.simulator.conftest import (
    LAUNCH_PATH,
    LAUNCH_URL,
    LOGIN_PATH,
    OTHER_DEPLOYMENT,
)
from tests.silent_server import SilentServer

pytestmark = pytest.mark.django_db

DROP = object()  # a claim to leave out


def login_params(target: str = LAUNCH_URL, **changes) -> dict[str, str]:
    params = {
        "iss": ISSUER,
        "login_hint": "subject-1",
        "target_link_uri": target,
        "lti_message_hint": "opaque-hint",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    for name, value in changes.items():
        if value is DROP:
            params.pop(name)
        else:
            params[name] = value
    return params


def stand_in_login(client: Client, **changes) -> tuple[str, str]:
    """The stand-in's login initiation; returns the state and nonce it sent to the platform."""
    response = client.get(LOGIN_PATH, login_params(**changes))
    assert response.status_code == 302, response.content.decode()
    sent = query(response["Location"])
    return sent["state"], sent["nonce"]


def launch_claims(nonce: str, *, target: str = LAUNCH_URL, changes: dict | None = None) -> dict:
    """A resource-link launch the stand-in accepts, with `changes` applied."""
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "sub": "subject-1",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "name": "Gábor Szabó",
        claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST,
        claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
        claims.TARGET_LINK_URI: target,
        claims.RESOURCE_LINK: {"id": "resource-link-1"},
        claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.CONTEXT: {"id": "context-1", "label": "MAT101", "title": "Analízis I"},
    }
    for name, value in (changes or {}).items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def forge(body: dict, *, private_key=None, kid: str | None = None, algorithm="RS256") -> str:
    """Sign with the platform's real current key unless told otherwise."""
    signing = keys.signing_key()
    headers = {"kid": kid if kid is not None else signing.kid}
    return jwt.encode(
        body, private_key or signing.private_key, algorithm=algorithm, headers=headers
    )


def relative_times(changes: dict) -> dict:
    """`iat` and `exp` in a table are seconds from now."""
    now = int(time.time())
    return {
        name: now + value if name in {"iat", "exp"} and value is not DROP else value
        for name, value in changes.items()
    }


def plain_tool_conf(key_set: dict | None = None) -> ToolConfDict:
    """Plain pylti1p3's configuration of our platform, with both deployments registered."""
    return ToolConfDict(
        {
            ISSUER: [
                {
                    "default": True,
                    "client_id": CLIENT_ID,
                    "auth_login_url": ISSUER + "/lti/authorize/",
                    "auth_token_url": ISSUER + "/lti/token/",
                    "key_set": key_set,
                    "deployment_ids": [DEPLOYMENT_ID, OTHER_DEPLOYMENT],
                }
            ]
        }
    )


def post_launch(client: Client, id_token: str, state: str):
    return client.post(LAUNCH_PATH, {"id_token": id_token, "state": state})


def assert_refused(response, reason: str) -> None:
    html = response.content.decode()
    assert response.status_code == 400, (response.status_code, html[-400:])
    assert f'data-refusal="{reason}"' in html, html[-600:]
    assert "panopto_sim_session" not in response.cookies
    assert not Folder.objects.exists()


# --- the harness itself: a well-forged launch is accepted ------------------------------------


def test_a_well_formed_forged_launch_is_accepted(client, standin):
    state, nonce = stand_in_login(client)
    response = post_launch(client, forge(launch_claims(nonce)), state)
    assert response.status_code == 303, response.content.decode()
    assert Folder.objects.get().name == "Analízis I (MAT101)"


def test_an_iat_within_the_clock_skew_is_accepted(client, standin):
    state, nonce = stand_in_login(client)
    now = int(time.time())
    body = launch_claims(nonce, changes={"iat": now + 5, "exp": now + 300})
    assert post_launch(client, forge(body), state).status_code == 303


def test_an_audience_list_with_our_azp_is_accepted(client, standin):
    state, nonce = stand_in_login(client)
    body = launch_claims(nonce, changes={"aud": [CLIENT_ID, "another-tool"]})
    assert post_launch(client, forge(body), state).status_code == 303


# --- one bad claim each ----------------------------------------------------------------------

NOW = object()  # replaced by the current time in the table below


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"exp": DROP}, "missing_claim", id="exp-missing"),
        pytest.param({"iat": DROP}, "missing_claim", id="iat-missing"),
        pytest.param({"iat": 60, "exp": 360}, "issued_in_future", id="iat-in-the-future"),
        pytest.param({"iat": -3600, "exp": 300}, "too_old", id="iat-too-old"),
        pytest.param({"iat": -400, "exp": -100}, "expired", id="expired"),
        pytest.param({"azp": "another-tool"}, "wrong_azp", id="azp-wrong"),
        pytest.param(
            {"aud": [CLIENT_ID, "another-tool"], "azp": DROP}, "azp_missing", id="aud-list-no-azp"
        ),
        pytest.param(
            {claims.TARGET_LINK_URI: "https://evil.example/launch"},
            "target_link_uri_mismatch",
            id="target-link-uri-foreign",
        ),
        pytest.param(
            {claims.DEPLOYMENT_ID: OTHER_DEPLOYMENT},
            "deployment_mismatch",
            id="deployment-other-than-login",
        ),
        pytest.param(
            {
                claims.MESSAGE_TYPE: claims.DEEP_LINKING_REQUEST,
                claims.DEEP_LINKING_SETTINGS: {
                    "deep_link_return_url": ISSUER + "/return/",
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["iframe"],
                },
            },
            "wrong_message_type",
            id="deep-linking-request-at-launch-url",
        ),
        pytest.param({"iss": "https://other.example"}, "launch_refused", id="iss-unknown"),
        pytest.param({"aud": "another-tool", "azp": DROP}, "launch_refused", id="aud-other"),
    ],
)
def test_stand_in_refuses_a_launch_with(client, registration_two_deployments, changes, reason):
    state, nonce = stand_in_login(client)
    body = launch_claims(nonce, changes=relative_times(changes))
    assert_refused(post_launch(client, forge(body), state), reason)
    assert not ConsumedNonce.objects.exists()  # a refused launch does not burn the nonce


def test_a_replayed_launch_is_refused(client, standin):
    state, nonce = stand_in_login(client)
    form = {"id_token": forge(launch_claims(nonce)), "state": state}
    assert client.post(LAUNCH_PATH, form).status_code == 303
    Folder.objects.all().delete()
    assert_refused(client.post(LAUNCH_PATH, form), "nonce_replayed")
    # Another browser, without the state cookie: pylti1p3 lets the (id_token, state) pair it
    # has seen pass its state check; the consumed nonce still refuses it.
    assert_refused(Client().post(LAUNCH_PATH, form), "nonce_replayed")


def test_a_nonce_issued_with_another_state_is_refused(client, standin):
    state_a, _nonce_a = stand_in_login(client)
    _state_b, nonce_b = stand_in_login(client)
    assert_refused(
        post_launch(client, forge(launch_claims(nonce_b)), state_a), "nonce_not_of_state"
    )


def test_a_launch_after_its_login_expired_is_refused(client, standin):
    state, nonce = stand_in_login(client)
    LoginState.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert_refused(post_launch(client, forge(launch_claims(nonce)), state), "unknown_state")


def test_a_launch_without_the_state_cookie_is_refused(standin):
    state, nonce = stand_in_login(Client())
    assert_refused(post_launch(Client(), forge(launch_claims(nonce)), state), "launch_refused")


@pytest.mark.parametrize(
    ("signing", "reason"),
    [
        pytest.param("foreign_key_real_kid", "invalid_token", id="wrong-key-real-kid"),
        pytest.param("no_kid", "no_kid", id="no-kid"),
        pytest.param("hs256", "bad_algorithm", id="hs256"),
    ],
)
def test_a_launch_not_signed_by_the_platform_is_refused(client, standin, signing, reason):
    state, nonce = stand_in_login(client)
    body = launch_claims(nonce)
    if signing == "foreign_key_real_kid":
        token = forge(
            body, private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )
    elif signing == "no_kid":
        token = forge(body, kid="")
    else:
        token = jwt.encode(body, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256")
    assert_refused(post_launch(client, token, state), reason)


# --- the platform's key set: cached, fetched with a timeout, refetched once on an unknown kid --


def accepted_launch(client: Client) -> None:
    state, nonce = stand_in_login(client)
    assert post_launch(client, forge(launch_claims(nonce)), state).status_code == 303


def test_the_platforms_key_set_is_fetched_once_and_cached(standin, jwks_fetches):
    accepted_launch(Client())
    accepted_launch(Client())
    assert jwks_fetches.count == 1
    assert jwks_fetches.urls == [ISSUER + "/.well-known/jwks.json"]
    assert jwks_fetches.timeouts == [platform_jwks.FETCH_TIMEOUT_SECONDS]


def test_a_key_unknown_to_the_cached_set_is_refetched_once(
    standin, jwks_fetches, django_capture_on_commit_callbacks
):
    """Two rotations in a row sign with a key that the cached key set never saw."""
    accepted_launch(Client())
    with django_capture_on_commit_callbacks(execute=True):  # the portal forgets its cached JWKS
        keys.keys_rotate(min_next_age_seconds=0)
        keys.keys_rotate(min_next_age_seconds=0)
    accepted_launch(Client())
    assert jwks_fetches.count == 2
    accepted_launch(Client())
    assert jwks_fetches.count == 2


def test_an_unknown_kid_is_refused_after_one_refetch(client, standin, jwks_fetches):
    accepted_launch(Client())
    Folder.objects.all().delete()
    state, nonce = stand_in_login(client)
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = forge(launch_claims(nonce), private_key=attacker, kid="attackers-key")
    assert_refused(post_launch(client, token, state), "unknown_kid")
    assert jwks_fetches.count == 2  # the first launch's fetch, and one refetch


def test_a_silent_key_set_url_is_given_up_after_the_timeout(client, standin, monkeypatch):
    monkeypatch.undo()  # the real HTTP fetch, not the test client's
    monkeypatch.setattr(platform_jwks, "FETCH_TIMEOUT_SECONDS", 0.5)
    server = SilentServer()
    standin.key_set_url = server.start()
    standin.save()
    try:
        state, nonce = stand_in_login(client)
        started = time.monotonic()
        response = post_launch(client, forge(launch_claims(nonce)), state)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert_refused(response, "key_set_unavailable")
    assert elapsed < 3


def test_a_silent_key_set_url_is_not_asked_again_by_the_next_launches(client, standin, monkeypatch):
    """Issue 15, finding 7, on the stand-in's side: its launches wait for the platform's key
    set once (core.outbound), then fail at once while the failure is remembered."""
    monkeypatch.undo()  # the real HTTP fetch, not the test client's
    monkeypatch.setattr(platform_jwks, "FETCH_TIMEOUT_SECONDS", 0.5)
    server = SilentServer()
    standin.key_set_url = server.start()
    standin.save()
    try:
        durations = []
        for _ in range(4):
            state, nonce = stand_in_login(client)
            started = time.monotonic()
            response = post_launch(client, forge(launch_claims(nonce)), state)
            durations.append(time.monotonic() - started)
            assert_refused(response, "key_set_unavailable")
    finally:
        server.stop()
    assert server.accepted == 1
    assert max(durations[1:]) < 0.3, durations


# --- the login initiation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param(
            {"target": "https://evil.example/steal"}, "foreign_target_link_uri", id="target"
        ),
        pytest.param({"target": TOOL_LAUNCH_URL}, "foreign_target_link_uri", id="other-tool"),
        pytest.param({"iss": "https://other.example"}, "unknown_issuer", id="iss"),
        pytest.param({"client_id": "another-client"}, "unknown_client", id="client-id"),
        pytest.param({"lti_deployment_id": "unregistered"}, "unknown_deployment", id="deployment"),
        pytest.param({"login_hint": DROP}, "no_login_hint", id="login-hint"),
    ],
)
def test_stand_in_refuses_a_login_initiation_with(client, standin, changes, reason):
    response = client.get(LOGIN_PATH, login_params(**changes))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-refusal="{reason}"' in html
    assert "Location" not in response and not response.cookies
    assert not LoginState.objects.exists()


def test_login_and_launch_need_no_csrf_token(standin):
    client = Client(enforce_csrf_checks=True)
    state, nonce = stand_in_login(client)
    client.post(LOGIN_PATH, login_params())  # the form-post variant of the initiation
    assert post_launch(client, forge(launch_claims(nonce)), state).status_code == 303


# --- plain pylti1p3 would have accepted them -------------------------------------------------


@dataclass(frozen=True)
class Bad:
    reason: str
    changes: dict = field(default_factory=dict)
    scenario: str = "single"  # "other_nonce": nonce of a second login; "replay": posted twice


STRICTER = [
    pytest.param(Bad("missing_claim", {"exp": DROP}), id="exp-missing"),
    pytest.param(Bad("missing_claim", {"iat": DROP}), id="iat-missing"),
    pytest.param(Bad("too_old", {"iat": -86400}), id="iat-a-day-old"),
    pytest.param(Bad("wrong_azp", {"azp": "another-tool"}), id="azp-wrong"),
    pytest.param(Bad("azp_missing", {"aud": [CLIENT_ID, "x"], "azp": DROP}), id="aud-list-no-azp"),
    pytest.param(
        Bad("target_link_uri_mismatch", {claims.TARGET_LINK_URI: "https://evil.example/"}),
        id="target-link-uri-foreign",
    ),
    pytest.param(
        Bad("deployment_mismatch", {claims.DEPLOYMENT_ID: OTHER_DEPLOYMENT}),
        id="deployment-other-than-login",
    ),
    pytest.param(
        Bad(
            "wrong_message_type",
            {
                claims.MESSAGE_TYPE: claims.DEEP_LINKING_REQUEST,
                claims.DEEP_LINKING_SETTINGS: {
                    "deep_link_return_url": ISSUER + "/return/",
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["iframe"],
                },
            },
        ),
        id="deep-linking-at-launch-url",
    ),
    pytest.param(Bad("nonce_not_of_state", scenario="other_nonce"), id="nonce-of-other-login"),
    pytest.param(Bad("nonce_replayed", scenario="replay"), id="replay"),
]


def plain_pylti1p3_accepts(client: Client, bad: Bad) -> bool:
    tool = Pylti1p3Tool(plain_tool_conf(client.get("/.well-known/jwks.json").json()))
    login = tool.login(login_params(target=TOOL_LAUNCH_URL))
    nonce = login.params["nonce"]
    if bad.scenario == "other_nonce":
        nonce = tool.login(login_params(target=TOOL_LAUNCH_URL)).params["nonce"]
    body = launch_claims(nonce, target=TOOL_LAUNCH_URL, changes=relative_times(bad.changes))
    form = {"id_token": forge(body), "state": login.params["state"]}
    tool.launch(form, login.cookies)  # raises on refusal
    if bad.scenario == "replay":
        tool.launch(form, login.cookies)
    return True


def stand_in_refuses(client: Client, bad: Bad) -> None:
    state, nonce = stand_in_login(client)
    if bad.scenario == "other_nonce":
        _other_state, nonce = stand_in_login(client)
    form = {
        "id_token": forge(launch_claims(nonce, changes=relative_times(bad.changes))),
        "state": state,
    }
    response = client.post(LAUNCH_PATH, form)
    if bad.scenario == "replay":
        assert response.status_code == 303
        Folder.objects.all().delete()
        response = client.post(LAUNCH_PATH, form)
    assert_refused(response, bad.reason)


@pytest.mark.parametrize("bad", STRICTER)
def test_plain_pylti1p3_accepts_what_the_stand_in_refuses(
    client, registration_two_deployments, bad
):
    assert plain_pylti1p3_accepts(client, bad)
    stand_in_refuses(client, bad)


def test_plain_pylti1p3_redirects_its_login_to_a_foreign_target(standin):
    """The open redirect the stand-in's login refuses (see the login table above): pylti1p3's
    login, used as its Django example does (`redirect(target_link_uri)`), sends the browser's
    id_token to whatever target the initiation names."""
    from django.contrib.sessions.backends.cache import SessionStore
    from django.test import RequestFactory
    from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin

    conf = plain_tool_conf()
    params = login_params(target="https://evil.example/steal")
    request = RequestFactory().get("/login/", params)
    request.session = SessionStore()
    oidc = DjangoOIDCLogin(request, conf, launch_data_storage=DjangoCacheDataStorage())
    response = oidc.redirect(request.GET["target_link_uri"])
    assert query(response["Location"])["redirect_uri"] == "https://evil.example/steal"
    assert ToolUser.objects.count() == 0

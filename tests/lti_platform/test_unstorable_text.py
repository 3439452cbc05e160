"""The LTI endpoints answer text PostgreSQL cannot store (a NUL character) in their own
protocol's terms, not with the portal's 400 page that every other page gives it
(core.request_text): SPEC §5.2 posts errors back to the verified redirect URI with `state`."""

import pytest

from panopto_link.lti_platform.models import LaunchRecord, LaunchStage
from tests.lti_tool import form_fields, query

pytestmark = pytest.mark.django_db


def test_the_authorization_endpoint_posts_its_refusal_back_with_a_nul_in_state(client, world, tool):
    """SPEC §5.2: with the client and redirect URI verified, errors are posted back to the tool
    with `state` — the portal's 400 page would leave the tool waiting."""
    world.create_context()
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    params = {**tool.login(query(initiation["Location"])).params}
    params.update(state="st\x00ate", scope="openid\x00")
    response = client.get("/lti/authorize/", params)
    assert response.status_code == 200
    _action, fields = form_fields(response.content.decode())
    assert fields["error"] == "invalid_scope" and "id_token" not in fields


def test_the_deep_linking_return_refuses_a_nul_token_with_its_own_page(client, world):
    response = client.post("/lti/deep-linking/return/", {"JWT": "a\x00b"})
    assert response.status_code == 400
    assert LaunchRecord.objects.filter(stage=LaunchStage.DEEP_LINKING_RETURN).exists()


def test_a_nul_in_the_client_id_is_an_unknown_client_not_a_500(client, world, tool):
    """The tool is looked up by the request's client id (issue 22): one no database can store
    names no tool — the error page of an untrusted client, never the statement PostgreSQL
    refuses (found by the authorization fuzzer on PostgreSQL)."""
    world.create_context()
    client.force_login(world.member)
    initiation = client.post(f"/panopto/launch/{world.course.pk}/")
    params = {**tool.login(query(initiation["Location"])).params, "client_id": "\x00"}
    response = client.get("/lti/authorize/", params)
    assert response.status_code == 400
    assert b"lti-form-post" not in response.content

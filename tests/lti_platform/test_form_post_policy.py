"""The auto-submitting form post of the authorization endpoint under the Content Security
Policy: its one form may post to the validated redirect URI's origin only, its script is the
app's own static file, and it is never framed."""

import pytest

from tests.lti_tool import TOOL_LAUNCH_URL, form_fields, run_launch
from tests.portal.test_security_headers import policy

pytestmark = pytest.mark.django_db


def test_the_auto_submit_form_may_post_only_to_the_tool_and_uses_no_inline_script(
    client, world, tool
):
    world.create_context()
    client.force_login(world.member)
    result = run_launch(client, world.course.pk, tool=tool)
    page = result.authorization.content.decode()
    action, fields = form_fields(page)
    assert action == TOOL_LAUNCH_URL and "id_token" in fields
    csp = policy(result.authorization)
    assert csp["form-action"] == ["https://panopto.example.com"]
    assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert result.authorization["X-Frame-Options"] == "DENY"
    assert result.authorization["Referrer-Policy"] == "no-referrer"  # the hint stays here
    assert '<script src="/static/panopto_link/autosubmit.js"></script>' in page
    assert page.count("<script") == 1 and "style=" not in page


def test_the_error_post_back_is_limited_to_the_tool_as_well(client, world):
    client.force_login(world.member)
    response = client.get(
        "/lti/authorize/",
        {"client_id": "panopto-client-1", "redirect_uri": TOOL_LAUNCH_URL, "scope": "nope"},
    )
    assert form_fields(response.content.decode())[1]["error"] == "invalid_scope"
    assert policy(response)["form-action"] == ["https://panopto.example.com"]

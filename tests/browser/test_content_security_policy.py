"""The Content Security Policy in real Chromium: every page of a whole cross-site launch (the
portal on one site, the Panopto stand-in on another) works under it, and Chromium reports no
violation — no inline script or style blocked, the auto-submit form allowed to post to the
tool, the redirect to the tool's login not blocked."""

import pytest

from tests.panopto_link.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_whole_launch_runs_without_a_single_policy_violation(new_context, sign_in, sites):
    stand_in = sites.stand_in
    world = World()

    context = new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    sign_in(page, world.admin.username)
    for path in ["/", "/studies/information/panopto/", f"/spaces/{world.course.pk}/", "/nope/"]:
        page.goto(path)
        page.wait_for_load_state()
        # Chromium read the Permissions-Policy (an unrecognised feature would be reported on
        # the console above) and denies the page what the portal does not use.
        denied = page.evaluate(
            "['camera', 'microphone', 'geolocation', 'fullscreen', 'payment']"
            ".filter(feature => !document.featurePolicy.allowsFeature(feature))"
        )
        assert denied == ["camera", "microphone", "geolocation", "fullscreen", "payment"], path
    page.goto(f"/spaces/{world.course.pk}/")
    button = f'form[action="/panopto/launch/{world.course.pk}/"] button[type=submit]'
    page.locator(button).first.click()
    # The click's redirect to the tool, the tool's redirect back, our auto-submitted form post.
    page.wait_for_url(lambda url: url.startswith(stand_in + "/panopto-sim/folders/"))
    page.wait_for_load_state()
    assert page.locator("section.sim-folder").get_attribute("data-role") == "creator"
    assert violations == []

"""The portal's own CSS and script are served by the app, and no page carries inline script or
style, so a Content Security Policy of `script-src 'self'; style-src 'self'` can be switched on."""

import pytest
from django.templatetags.static import static
from django.urls import reverse

from tests.factories import FolderFactory, MembershipFactory, SpaceFactory, UserFactory
from tests.html import parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["portal/portal.css", "portal/portal.js"])
def test_static_files_are_served_by_the_app(client, path):
    response = client.get(static(path))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_pages_have_no_inline_script_style_or_handlers(client, licence, registration):
    space = SpaceFactory()
    FolderFactory(space=space)
    user = UserFactory()
    MembershipFactory(user=user, space=space)
    documents = {"sign-in": parse(client.get(reverse("portal:sign_in")))}
    client.force_login(user)
    pages = [
        reverse("portal:home"),
        reverse("portal:studies_information"),
        reverse("panopto_link:studies_panopto"),
        reverse("virtualspaces:public_spaces"),
        reverse("virtualspaces:space_home", args=[space.pk]),
        reverse("virtualspaces:space_home", args=[space.pk + 1]),  # the 404 page
    ]
    documents.update((path, parse(client.get(path))) for path in pages)
    for path, document in documents.items():
        assert document.find("main") is not None, path
        scripts = document.find_all("script")
        assert all(script.attrs.get("src", "").startswith("/static/") for script in scripts), path
        assert all(not script.text for script in scripts), path
        assert document.find("style") is None, path
        for element in document.iter():
            assert "style" not in element.attrs, (path, element.tag)
            assert not any(name.startswith("on") for name in element.attrs), (path, element.tag)
        stylesheets = document.find_all("link", rel="stylesheet")
        assert [link.attrs["href"] for link in stylesheets] == [static("portal/portal.css")], path

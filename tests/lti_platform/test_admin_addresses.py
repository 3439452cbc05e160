"""The platform's admin pages moved with its models (issue 22): the addresses IT administrators
bookmarked under panopto_link lead to the same page under lti_platform, query and all."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/panopto_link/launchrecord/", "/admin/lti_platform/launchrecord/"),
        (
            "/admin/panopto_link/launchrecord/?outcome__exact=refused",
            "/admin/lti_platform/launchrecord/?outcome__exact=refused",
        ),
        (
            "/admin/panopto_link/launchrecord/7/change/",
            "/admin/lti_platform/launchrecord/7/change/",
        ),
        ("/admin/panopto_link/platformkey/", "/admin/lti_platform/platformkey/"),
    ],
)
def test_a_bookmarked_address_of_the_platforms_admin_leads_to_its_new_place(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_panopto_parts_own_admin_pages_stay_where_they_are(admin_client):
    assert admin_client.get("/admin/panopto_link/panoptofolder/").status_code == 200
    assert admin_client.get("/admin/lti_platform/launchrecord/").status_code == 200

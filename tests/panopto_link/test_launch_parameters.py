"""The launch buttons read a linked folder's owner from the `folder` parameter: only ASCII digits
name a row. Unicode digits ("²" is a digit to `str.isdigit()` and not to `int()`; "٤٤" is 44 to
both) answered 500 or were read as another id (found from outside, issue 15)."""

import pytest

from tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


def arabic_indic(number: int) -> str:
    return "".join(chr(0x0660 + int(digit)) for digit in str(number))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "folder",
    ["²", "¹²", "٤٤", "１２", "-1", "+1", " 1", "1.0", "1e3", "9" * 19, "0x1"],
)
def test_a_folder_parameter_that_is_not_ascii_digits_is_not_found(client, world, method, folder):
    world.create_context()
    client.force_login(world.member)
    response = getattr(client, method)(f"/panopto/launch/{world.course.pk}/", {"folder": folder})
    assert response.status_code == 404


def test_a_linked_folder_named_in_other_digits_is_not_read_as_its_id(client, world):
    world.create_context(world.subject)
    client.force_login(world.member)
    url = f"/panopto/launch/{world.course.pk}/"
    assert client.get(url, {"folder": str(world.subject.pk)}).status_code == 200
    assert client.get(url, {"folder": arabic_indic(world.subject.pk)}).status_code == 404


def test_a_folder_that_is_not_linked_is_not_found(client, world):
    client.force_login(world.admin)
    other = SpaceFactory()
    response = client.post(f"/panopto/launch/{world.course.pk}/", {"folder": str(other.pk)})
    assert response.status_code == 404


def test_a_nul_in_the_folder_parameter_gets_the_400_page(client, world):
    """Refused before any view (core.request_text): no text with a NUL reaches PostgreSQL."""
    client.force_login(world.member)
    response = client.post(f"/panopto/launch/{world.course.pk}/", {"folder": "1\x00"})
    assert response.status_code == 400

"""Content items of a deep-linking response (Deep Linking 2.0 §3.2): a token the tool signed
is trusted to come from the tool, not to be well-formed. Found by tests/fuzz on PostgreSQL,
which stores no NUL character: such an item made the return endpoint answer 500."""

import pytest

from panopto_link.lti.deep_linking import ItemProblem, RefusedItem, _item

ORIGINS = ("https://panopto.example.com",)
URL = "https://panopto.example.com/Panopto/LTI/LTI13.aspx?id=1"


@pytest.mark.parametrize(
    "url", [URL + "\x00", URL + " x", URL + "\n", URL + "\t", URL + "\x7f", "\x00" + URL]
)
def test_an_item_whose_url_holds_control_characters_or_spaces_is_left_out(url):
    assert _item({"type": "ltiResourceLink", "url": url}, allowed_origins=ORIGINS) is None


def test_control_characters_are_removed_from_texts_and_custom_values():
    item = _item(
        {
            "type": "ltiResourceLink",
            "url": URL,
            "title": "Elő\x00adás\x1b[31m",
            "text": "első sor\nmásodik\x00",
            "custom": {"session": "s-\x001", "n": 5, "yes": True},
        },
        allowed_origins=ORIGINS,
    )
    assert item.title == "Előadás[31m"
    assert item.text == "első sor\nmásodik"
    assert item.custom == {"session": "s-1", "n": "5", "yes": "true"}


def test_a_custom_key_with_control_characters_refuses_the_item():
    """A key is never cleaned into another key (issue 20, finding 1): the item is refused."""
    refused = _item(
        {"type": "ltiResourceLink", "url": URL, "title": "T", "custom": {"ses\x00sion": "1"}},
        allowed_origins=ORIGINS,
    )
    assert refused == RefusedItem(title="T", key="session", problem=ItemProblem.BAD_KEY)


def test_a_thumbnail_url_with_control_characters_is_dropped():
    item = _item(
        {"type": "ltiResourceLink", "url": URL, "thumbnail": {"url": "https://x/\x00.png"}},
        allowed_origins=ORIGINS,
    )
    assert item.thumbnail_url == ""


def test_a_thumbnail_from_outside_the_tools_site_is_dropped():
    """Every member's browser loads it: no tracking pixel from anywhere else (issue 15)."""
    inside, outside = ORIGINS[0] + "/thumb.png", "https://tracker.example/pixel.gif"
    for url, kept in ((inside, inside), (outside, ""), ("data:image/png;base64,AAAA", "")):
        item = _item(
            {"type": "ltiResourceLink", "url": URL, "thumbnail": {"url": url}},
            allowed_origins=ORIGINS,
        )
        assert item.thumbnail_url == kept


@pytest.mark.parametrize(
    ("custom", "key", "problem"),
    [
        ({"linked_folders": "[]"}, "linked_folders", ItemProblem.RESERVED_KEY),
        ({"neptun_code": "X"}, "neptun_code", ItemProblem.RESERVED_KEY),
        ({"Bad Key!": "1"}, "Bad Key!", ItemProblem.BAD_KEY),
        ({"UsePanoptoSandbox": "true"}, "UsePanoptoSandbox", ItemProblem.BAD_KEY),
        ({"k" * 65: "1"}, "k" * 65, ItemProblem.KEY_TOO_LONG),
        ({"v": "x" * 1001}, "v", ItemProblem.VALUE_TOO_LONG),
        ({"v": None}, "v", ItemProblem.BAD_VALUE),
        ({"v": {"nested": 1}}, "v", ItemProblem.BAD_VALUE),
        ({f"k{n}": "1" for n in range(51)}, "", ItemProblem.TOO_MANY),
        (["not", "a", "map"], "", ItemProblem.BAD_CUSTOM),
    ],
)
def test_an_item_whose_custom_map_breaks_the_key_rule_is_refused(custom, key, problem):
    """Issue 20, finding 1: the registration's key rule, and the keys the portal sends itself."""
    refused = _item(
        {"type": "ltiResourceLink", "url": URL, "title": "T", "custom": custom},
        allowed_origins=ORIGINS,
        reserved_keys={"linked_folders", "neptun_code"},
    )
    assert refused == RefusedItem(title="T", key=key, problem=problem)


def test_panoptos_custom_map_is_kept_as_sent():
    custom = {
        "context_delivery": "8d1f7c2e-3c4a-4f7b-9a51-0b5e2f0c9d11",
        "use_panopto_interactive_view": "true",
        "panopto_show_tabs": "false",
        "v": "x" * 1000,
    }
    item = _item(
        {"type": "ltiResourceLink", "url": URL, "custom": custom},
        allowed_origins=ORIGINS,
        reserved_keys={"linked_folders"},
    )
    assert item.custom == custom

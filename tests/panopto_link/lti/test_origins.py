"""Origins as RFC 6454 compares them (issue 21): one function, scheme and host in any case,
the default port the same as none. No database."""

import pytest

from panopto_link.lti.origins import normalised_url, origin, same_origin

HOST = "https://egyetem.hosted.panopto.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://egyetem.hosted.panopto.com/Panopto/x", HOST),
        ("https://Egyetem.Hosted.Panopto.com", HOST),
        ("HTTPS://EGYETEM.HOSTED.PANOPTO.COM/", HOST),
        ("https://egyetem.hosted.panopto.com:443/a", HOST),
        ("https://egyetem.hosted.panopto.com:8443/a", HOST + ":8443"),
        ("http://Tool.example:80/launch", "http://tool.example"),
        ("http://tool.example:443/", "http://tool.example:443"),
        ("https://user:secret@tool.example/", "https://tool.example"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("https:///no-host", None),
        ("https://tool.example:notaport/", None),
        ("/relative/path", None),
        ("", None),
    ],
)
def test_the_origin_of_a_url(url, expected):
    assert origin(url) == expected


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://Egyetem.hosted.panopto.com", "https://egyetem.hosted.panopto.com/x", True),
        ("https://egyetem.hosted.panopto.com:443", "https://egyetem.hosted.panopto.com", True),
        ("https://egyetem.hosted.panopto.com", "http://egyetem.hosted.panopto.com", False),
        ("https://egyetem.hosted.panopto.com", "https://egyetem.hosted.panopto.com.evil", False),
        ("https://egyetem.hosted.panopto.com", "https://other.hosted.panopto.com", False),
        ("javascript:x", "javascript:x", False),
    ],
)
def test_same_origin(first, second, same):
    assert same_origin(first, second) is same


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Tool.Example:443/Path/A?B=1#t=5", "https://tool.example/Path/A?B=1"),
        ("https://tool.example", "https://tool.example/"),
        ("https://tool.example:8443/x#y", "https://tool.example:8443/x"),
        ("urn:x#y", "urn:x"),
    ],
)
def test_a_normalised_url_keeps_path_and_query_as_written(url, expected):
    assert normalised_url(url) == expected

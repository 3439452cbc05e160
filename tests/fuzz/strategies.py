"""Hypothesis strategies for hostile HTTP input: values that are missing, repeated, oversized
(100 kB), not UTF-8, full of control characters; hostile JWTs; wrong methods."""

import base64
import hashlib
import hmac
import json
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

OVERSIZED = 100 * 1024
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]

control_characters = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f"),
    min_size=1,
    max_size=8,
)
oversized_text = st.tuples(
    st.sampled_from(["A", "é", "\x00", "%", "<", "€", "'", "9", "\n"]),
    st.integers(OVERSIZED, OVERSIZED + 512),
).map(lambda t: t[0] * t[1])
notable_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "null",
        "None",
        "-1",
        "0",
        "9" * 40,
        "1e999",
        "NaN",
        "<script>alert(1)</script>",
        "\"'><img src=x>",
        "../../../etc/passwd",
        "%00",
        "%ff%fe",
        "${jndi:ldap://x}",
        "' OR 1=1 --",
        "\u202e",
        "\ufeff",
        "😀" * 10,
        "a" * 4097,
        "javascript:alert(1)",
        "//evil.example",
        "https://evil.example/",
        "openid",
        "id_token",
        "form_post",
        "none",
    ]
)
ordinary_text = st.one_of(
    st.text(max_size=40),
    control_characters,
    st.text(alphabet=st.sampled_from(["\x00", "a", "\n", "\u202e", "\x1b", "<"]), max_size=12),
    notable_text,
    st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True),
)


def now_and_then(rare: st.SearchStrategy, usual: st.SearchStrategy, one_in: int):
    """`rare` about once in `one_in` draws, otherwise `usual` (which shrinking prefers)."""
    return st.sampled_from(range(one_in)).flatmap(lambda n: rare if n == one_in - 1 else usual)


# About one value in 24 is oversized: parsing 100 kB is what such a request costs (tens of
# milliseconds), and the fuzzer should spend its time on variety.
hostile_text = now_and_then(oversized_text, ordinary_text, 24)
# Raw bytes end up percent-encoded as they are: most are not valid UTF-8.
not_utf8 = st.one_of(
    st.binary(min_size=1, max_size=32),
    st.sampled_from([b"\xff\xfe\xfd", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]),
    now_and_then(
        st.integers(OVERSIZED, OVERSIZED + 64).map(lambda n: b"\xff" * n),
        st.binary(max_size=8),
        8,
    ),
)
hostile_value = st.one_of(hostile_text, hostile_text, not_utf8)


def encode(pairs: list[tuple[str | bytes, str | bytes]]) -> str:
    """A query string or form body, percent-encoding text as UTF-8 and bytes as they are."""

    def one(part: str | bytes) -> str:
        if len(part) > 1000 and len(set(part[:64])) == 1 and part == part[:1] * len(part):
            # An oversized value repeats one character: encode it once (quoting 100 kB a
            # character at a time would be most of the test's time).
            return one(part[:1]) * len(part)
        return quote_from_bytes(part, safe="") if isinstance(part, bytes) else quote(part, safe="")

    return "&".join(f"{one(name)}={one(value)}" for name, value in pairs)


def parameters(names: list[str]) -> st.SearchStrategy:
    """Lists of (name, value) pairs: the endpoint's own names and stranger ones, any value,
    names possibly repeated."""
    name = st.one_of(st.sampled_from(names), hostile_text.filter(lambda n: len(n) < 200))
    return st.lists(st.tuples(name, hostile_value), max_size=8)


# Bodies in other shapes than a form: JSON, a broken multipart, bytes with a charset that lies.
raw_body = st.tuples(
    st.sampled_from(
        [
            "application/json",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/x-www-form-urlencoded; charset=utf-99",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/octet-stream",
            "",
        ]
    ),
    st.one_of(
        st.binary(max_size=256),
        st.just(b'--xyz\r\nContent-Disposition: form-data; name="JWT"\r\n\r\nabc\r\n'),
        st.just(b"--xyz\r\nContent-Disposition: form-data; name=\r\n\r\n\xff\r\n--xyz--"),
        st.just(b'{"JWT": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        st.integers(OVERSIZED, OVERSIZED + 64).map(lambda n: b"A" * n),
    ),
)

# --- JWTs ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | hostile_text.filter(lambda s: len(s) < 200),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=8,
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def deeply_nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def hmac_signature(signing_input: str, secret: bytes) -> str:
    return b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())

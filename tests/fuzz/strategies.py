"""Hypothesis strategies for hostile HTTP input: values that are missing, repeated, oversized
(100 kB), not UTF-8, full of control characters and NULs, written in Unicode digits and
compatibility forms that normalise into other text (fullwidth, mathematical, ligatures);
hostile JWTs; wrong methods."""

import base64
import hashlib
import hmac
import json
import unicodedata
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

OVERSIZED = 100 * 1024
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]

control_characters = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f"),
    min_size=1,
    max_size=8,
)
# Characters NFKC turns into other text: what Django's sign-in form does to a user name before
# it authenticates (U+FF34 FULLWIDTH T signs in as T). The Basic Multilingual Plane's and the
# mathematical alphanumerics'.
COMPATIBILITY_FORMS = [
    chr(code)
    for code in (*range(0x00A0, 0x3400), *range(0xF900, 0x10000), *range(0x1D400, 0x1D800))
    if unicodedata.normalize("NFKC", chr(code)) != chr(code)
]
# Digits of other scripts (Arabic-Indic, Devanagari, fullwidth, mathematical …): int() reads
# them, a database does not.
UNICODE_DIGITS = [
    chr(code)
    for code in range(0x0660, 0x1D800)
    if unicodedata.category(chr(code)) == "Nd" and not chr(code).isascii()
]
compatibility_text = st.one_of(
    st.text(alphabet=st.sampled_from(COMPATIBILITY_FORMS), min_size=1, max_size=12),
    st.text(alphabet=st.sampled_from(UNICODE_DIGITS), min_size=1, max_size=8),
    # A real name with one character swapped for a compatibility form of it.
    st.tuples(
        st.sampled_from(["TYUT8J", "itadmin", "OKTATO", "TAG001", "2026/27/1", "MAT101"]),
        st.integers(0, 5),
    ).map(lambda t: _compatible_spelling(*t)),
)


def _compatible_spelling(text: str, index: int) -> str:
    index %= len(text)
    forms = [c for c in COMPATIBILITY_FORMS if unicodedata.normalize("NFKC", c) == text[index]]
    return text[:index] + (forms[0] if forms else text[index]) + text[index + 1 :]


# Ordinary text with a NUL or another control character somewhere in it.
control_laced = st.tuples(
    st.text(max_size=20), control_characters | st.just("\x00"), st.integers(0, 20)
).map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :])
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
        "\uff34YUT8J",
        "\uff34\uff39\uff35\uff34\uff18\uff2a",
        "\U0001d413\U0001d418\U0001d414\U0001d413\U0001d7d6\U0001d409",
        "\u0661\u0662",
        "\uff11\uff12",
        "\u00b2",
        "\ufb01",
        "\u212a",
        "a\x00",
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
    control_laced,
    compatibility_text,
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

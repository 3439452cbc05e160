"""Verifying a tool's LtiDeepLinkingResponse (Deep Linking 2.0 §4.5, Security Framework §5.1.3)
and reading its content items. Nothing in the response is trusted before every check passed."""

import datetime
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from panopto_link.lti import claims
from panopto_link.lti.errors import InvalidDeepLinkingResponse
from panopto_link.lti.origins import origin
from panopto_link.lti.reasons import Reason
from panopto_link.lti.substitution import VALUE_MAX_LENGTH, Problem, key_problem
from panopto_link.lti.text import plain_text

MAX_TOKEN_LENGTH = 256 * 1024
MAX_ITEMS = 50
MAX_CUSTOM_PARAMETERS = 50  # Panopto's items carry a handful
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated between the tool and us


@dataclass(frozen=True)
class ContentItem:
    """One `ltiResourceLink` item (Deep Linking 2.0 §3.2), reduced to what the portal keeps."""

    title: str
    text: str
    url: str
    custom: dict[str, str]
    thumbnail_url: str
    document_target: str  # "iframe" or "window"
    width: int | None
    height: int | None
    # What the tool says of the recording, where it says it (not part of Deep Linking 2.0: the
    # item's own `recorded_at`, an ISO 8601 date or date-time, and `duration`, an ISO 8601
    # duration or whole seconds). None when absent or not understood.
    recorded_on: datetime.date | None = None
    duration_seconds: int | None = None


class ItemProblem(StrEnum):
    """Why an ltiResourceLink item on the tool's site is refused: its custom map breaks the rule
    the registration's custom parameters follow (`substitution.key_problem`), or sets a key the
    platform sends itself. Such an item is refused whole, never linked with the key dropped."""

    BAD_KEY = Problem.BAD_KEY.value
    KEY_TOO_LONG = Problem.KEY_TOO_LONG.value
    RESERVED_KEY = Problem.RESERVED_KEY.value
    VALUE_TOO_LONG = Problem.VALUE_TOO_LONG.value
    BAD_VALUE = "bad_value"  # not a string, number or boolean (a list, an object, null)
    TOO_MANY = "too_many_parameters"
    BAD_CUSTOM = "bad_custom"  # `custom` is not a map


@dataclass(frozen=True)
class RefusedItem:
    """An item refused for its custom map: its title (as a lecturer saw it in the picker), the
    key at fault (made plain, cut to 100 characters) and the problem."""

    title: str
    key: str
    problem: ItemProblem


@dataclass(frozen=True)
class DeepLinkingResponse:
    items: tuple[ContentItem, ...]
    skipped_items: int
    data: str
    nonce: str
    msg: str
    log: str
    errormsg: str
    errorlog: str
    claims: dict[str, Any] = field(repr=False, default_factory=dict)
    refused_items: tuple[RefusedItem, ...] = ()


# A token the tool signed is trusted to come from the tool, not to be well-formed: its texts
# are made plain (lti.text) and URLs with a space or a control character are not taken.
_URL_FORBIDDEN = frozenset(chr(code) for code in [*range(33), 127])


def _text(value: object, limit: int) -> str:
    return plain_text(value, limit, keep_lines=True)


def _is_clean_url(url: str) -> bool:
    return not _URL_FORBIDDEN.intersection(url)


def _dimension(value: object) -> int | None:
    return value if isinstance(value, int) and 0 < value <= 10_000 else None


MAX_DURATION = 7 * 24 * 3600  # a week: longer is no recording's length
_ISO_DURATION = re.compile(
    r"P(?:(?P<days>\d{1,3})D)?(?:T(?:(?P<hours>\d{1,4})H)?(?:(?P<minutes>\d{1,6})M)?"
    r"(?:(?P<seconds>\d{1,7})(?:\.\d+)?S)?)?"
)


def _recorded_on(value: object) -> datetime.date | None:
    """The date of an ISO 8601 date or date-time, as the tool wrote it (its own offset)."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.date() if 1900 <= moment.year <= 2200 else None


def _duration(value: object) -> int | None:
    """Whole seconds of an ISO 8601 duration ("PT1H34M") or of a number of seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = int(value)
    elif isinstance(value, str) and len(value) <= 40 and value not in {"P", "PT"}:
        match = _ISO_DURATION.fullmatch(value)
        if match is None or value.endswith("T"):
            return None
        parts = {name: int(number or 0) for name, number in match.groupdict().items()}
        seconds = (parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60) + parts[
            "seconds"
        ]
    else:
        return None
    return seconds if 0 < seconds <= MAX_DURATION else None


def _custom_value(value: object) -> str | None:
    """A custom parameter's value as the claim carries it (LTI Core §5.4.6: strings): a string
    as sent, made plain; a boolean or a number as JSON writes it; None for anything else."""
    if isinstance(value, str):
        return plain_text(value, VALUE_MAX_LENGTH + 1, keep_lines=True)
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return None


def _custom(
    raw: object, *, reserved_keys: Collection[str]
) -> dict[str, str] | tuple[str, ItemProblem]:
    """The item's custom map, or the first key at fault and its problem."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return "", ItemProblem.BAD_CUSTOM
    if len(raw) > MAX_CUSTOM_PARAMETERS:
        return "", ItemProblem.TOO_MANY
    custom: dict[str, str] = {}
    for key, value in raw.items():
        shown = plain_text(str(key), 100)
        problem = (
            key_problem(key, reserved=reserved_keys) if isinstance(key, str) else Problem.BAD_KEY
        )
        if problem is not None:
            return shown, ItemProblem(problem.value)
        text = _custom_value(value)
        if text is None:
            return shown, ItemProblem.BAD_VALUE
        if len(text) > VALUE_MAX_LENGTH:
            return shown, ItemProblem.VALUE_TOO_LONG
        custom[key] = text
    return custom


def _item(
    raw: Mapping[str, Any],
    *,
    allowed_origins: tuple[str, ...],
    reserved_keys: Collection[str] = (),
) -> ContentItem | RefusedItem | None:
    """An ltiResourceLink item; a RefusedItem for one whose custom map the portal does not
    take; None for an item this portal does not take at all (another type, another site)."""
    if raw.get("type") != "ltiResourceLink":
        return None
    url = raw.get("url")
    if not isinstance(url, str) or len(url) > 2000 or not _is_clean_url(url):
        return None
    allowed = {origin(allowed_origin) for allowed_origin in allowed_origins} - {None}
    if origin(url) not in allowed:
        # Only launch where the registered tool lives: a video link is a launch target.
        return None
    title = _text(raw.get("title"), 200) or url
    custom = _custom(raw.get("custom"), reserved_keys=reserved_keys)
    if isinstance(custom, tuple):
        # The custom map is sent with every launch of the item: a key the portal sets itself
        # (linked_folders, the identifier's) or one that breaks the key rule is never stored.
        return RefusedItem(title=title, key=custom[0], problem=custom[1])
    thumbnail = raw.get("thumbnail") or raw.get("icon") or {}
    thumbnail_url = thumbnail.get("url") if isinstance(thumbnail, Mapping) else None
    if not (
        isinstance(thumbnail_url, str)
        and len(thumbnail_url) <= 2000
        and _is_clean_url(thumbnail_url)
        and origin(thumbnail_url) in allowed
    ):
        # Every member's browser loads it: only from where the tool lives, like the link
        # itself (the pages' Content Security Policy allows images from there, nowhere else).
        thumbnail_url = ""
    iframe = raw.get("iframe") if isinstance(raw.get("iframe"), Mapping) else None
    window = raw.get("window") if isinstance(raw.get("window"), Mapping) else None
    hints = iframe or window or {}
    return ContentItem(
        title=title,
        text=_text(raw.get("text"), 2000),
        url=url,
        custom=custom,
        thumbnail_url=thumbnail_url,
        document_target="iframe" if iframe is not None else "window",
        width=_dimension(hints.get("width")),
        height=_dimension(hints.get("height")),
        recorded_on=_recorded_on(raw.get("recorded_at")),
        duration_seconds=_duration(raw.get("duration")),
    )


def verify_deep_linking_response(
    token: str,
    *,
    issuer: str,
    client_id: str,
    deployment_id: str,
    find_key: Callable[[str], RSAPublicKey | None],
    allowed_origins: tuple[str, ...],
    now: int,
    max_age: int = 3600,
    reserved_keys: Collection[str] = (),
) -> DeepLinkingResponse:
    """Verify the response JWT and return its content.

    `find_key(kid)` returns the tool's public key for that kid (fetching the tool's JWKS as
    needed) or None. Items are taken only at `allowed_origins` (compared as RFC 6454 does,
    `origins.origin`); an item whose custom map sets one of `reserved_keys` or breaks the key
    rule is listed in `refused_items`, not in `items`. Raises InvalidDeepLinkingResponse with
    its reason. The caller must still check that the `nonce` is unused and that the `data`
    value is its own.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidDeepLinkingResponse(
            Reason.MALFORMED, "The JWT parameter is missing or too large."
        )
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidDeepLinkingResponse(Reason.MALFORMED, "The JWT cannot be decoded.") from None
    if header.get("alg") != "RS256":
        # Never let the token choose the algorithm: no "none", no HS256 keyed with a public key.
        raise InvalidDeepLinkingResponse(Reason.BAD_ALGORITHM, "The JWT must be signed with RS256.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        raise InvalidDeepLinkingResponse(Reason.NO_KID, "The JWT header names no key (kid).")
    key = find_key(kid)
    if key is None:
        raise InvalidDeepLinkingResponse(
            Reason.UNKNOWN_KID, "The tool's key set has no key with this kid."
        )
    try:
        body = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=issuer,
            issuer=client_id,
            leeway=CLOCK_LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.InvalidSignatureError:
        raise InvalidDeepLinkingResponse(
            Reason.BAD_SIGNATURE, "The JWT signature is not valid."
        ) from None
    except jwt.ExpiredSignatureError:
        raise InvalidDeepLinkingResponse(Reason.EXPIRED, "The JWT has expired.") from None
    except jwt.ImmatureSignatureError:
        raise InvalidDeepLinkingResponse(
            Reason.NOT_YET_VALID, "The JWT is issued in the future."
        ) from None
    except jwt.InvalidAudienceError:
        raise InvalidDeepLinkingResponse(
            Reason.WRONG_AUDIENCE, "The JWT is not addressed to us."
        ) from None
    except jwt.InvalidIssuerError:
        raise InvalidDeepLinkingResponse(
            Reason.WRONG_ISSUER, "The JWT is not from our client."
        ) from None
    except jwt.MissingRequiredClaimError as error:
        raise InvalidDeepLinkingResponse(
            Reason.MISSING_CLAIM, f"The JWT has no {error.claim}."
        ) from None
    except jwt.InvalidTokenError:
        raise InvalidDeepLinkingResponse(Reason.MALFORMED, "The JWT is not valid.") from None

    iat = body["iat"]
    if not isinstance(iat, int | float) or iat < now - max_age:
        raise InvalidDeepLinkingResponse(Reason.TOO_OLD, "The JWT was issued too long ago.")
    audience = body["aud"]
    if isinstance(audience, list) and len(audience) > 1 and body.get("azp") != client_id:
        raise InvalidDeepLinkingResponse(
            Reason.WRONG_AUDIENCE, "Several audiences without our azp."
        )
    if body.get(claims.DEPLOYMENT_ID) != deployment_id:
        raise InvalidDeepLinkingResponse(Reason.WRONG_DEPLOYMENT, "The deployment_id is not ours.")
    if body.get(claims.MESSAGE_TYPE) != claims.DEEP_LINKING_RESPONSE:
        raise InvalidDeepLinkingResponse(
            Reason.WRONG_MESSAGE_TYPE, "The message is not a deep-linking response."
        )
    if body.get(claims.VERSION) != claims.LTI_VERSION:
        raise InvalidDeepLinkingResponse(Reason.WRONG_VERSION, "The LTI version must be 1.3.0.")
    nonce = body["nonce"]
    data = body.get(claims.DL_DATA)
    # The nonce is stored to be refused a second time: it must be a value a database can
    # store as it is (PostgreSQL refuses NUL), not one cleaned into another tool's nonce.
    if (
        not isinstance(nonce, str)
        or not nonce
        or len(nonce) > 128
        or plain_text(nonce, 128) != nonce
    ):
        raise InvalidDeepLinkingResponse(Reason.MISSING_CLAIM, "The nonce is not valid.")
    if not isinstance(data, str) or not data:
        raise InvalidDeepLinkingResponse(
            Reason.WRONG_DATA, "The data value of our request is missing."
        )
    raw_items = body.get(claims.DL_CONTENT_ITEMS) or []
    if not isinstance(raw_items, list) or len(raw_items) > MAX_ITEMS:
        raise InvalidDeepLinkingResponse(
            Reason.BAD_ITEMS, "The content items are not a list of at most 50."
        )
    items = [
        _item(raw, allowed_origins=allowed_origins, reserved_keys=reserved_keys)
        if isinstance(raw, Mapping)
        else None
        for raw in raw_items
    ]
    kept = tuple(item for item in items if isinstance(item, ContentItem))
    refused = tuple(item for item in items if isinstance(item, RefusedItem))
    return DeepLinkingResponse(
        items=kept,
        skipped_items=len(items) - len(kept) - len(refused),
        refused_items=refused,
        data=data,
        nonce=nonce,
        msg=_text(body.get(claims.DL_MSG), 500),
        log=_text(body.get(claims.DL_LOG), 500),
        errormsg=_text(body.get(claims.DL_ERRORMSG), 500),
        errorlog=_text(body.get(claims.DL_ERRORLOG), 500),
        claims=body,
    )

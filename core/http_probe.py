"""One diagnostic GET of another party's URL, for the configuration self-test: what it answered
(status, its Date header, a JSON body when asked), never more than a few seconds, never more
than a small body, never an exception. Each probe fetches afresh: a self-test must see the
party as it is now, not a cached copy."""

import email.utils
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

CONNECT_TIMEOUT_SECONDS = 2.0
TOTAL_SECONDS = 4.0  # connecting, each read, and the whole answer
MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Probe:
    url: str
    status: int | None = None  # None: no answer (refused, timed out, not HTTP)
    date: datetime | None = None  # the answer's Date header (RFC 9110 §6.6.1)
    document: Any = None  # the JSON body, when asked for and readable
    error: str = ""  # why there is no answer, or no document
    received_at: float = 0.0  # time.time() when the answer arrived

    @property
    def answered(self) -> bool:
        return self.status is not None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def probe(url: str, *, want_json: bool = False, total_seconds: float = TOTAL_SECONDS) -> Probe:
    """GET `url` without following redirects. The answer's body is read only for `want_json`,
    within `total_seconds` in all and at most MAX_BODY_BYTES; a slow or endless answer is
    given up, never waited out."""
    deadline = time.monotonic() + total_seconds
    try:
        with requests.get(
            url,
            timeout=(min(CONNECT_TIMEOUT_SECONDS, total_seconds), total_seconds),
            stream=True,
            allow_redirects=False,
            headers={"Accept": "application/json" if want_json else "*/*"},
        ) as response:
            received_at = time.time()
            answered = Probe(
                url=url,
                status=response.status_code,
                date=_date(response.headers.get("Date")),
                received_at=received_at,
            )
            if not want_json:
                return answered
            body = bytearray()
            while chunk := response.raw.read1(16 * 1024, decode_content=True):
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return _with_error(
                        answered, f"the answer is larger than {MAX_BODY_BYTES} bytes"
                    )
                if time.monotonic() > deadline:
                    return _with_error(answered, f"the answer took longer than {total_seconds:g} s")
    except requests.RequestException as error:
        return Probe(url=url, error=_reason(error))
    try:
        document = json.loads(body)
    except ValueError:
        return _with_error(answered, "the answer is not JSON")
    return Probe(
        url=url,
        status=answered.status,
        date=answered.date,
        document=document,
        received_at=answered.received_at,
    )


def _with_error(probe: Probe, error: str) -> Probe:
    return Probe(
        url=probe.url,
        status=probe.status,
        date=probe.date,
        error=error,
        received_at=probe.received_at,
    )


def _reason(error: requests.RequestException) -> str:
    """The failure in a few words (requests' own messages nest the whole exception chain)."""
    if isinstance(error, requests.ConnectTimeout):
        return "no connection within the time limit"
    if isinstance(error, requests.ReadTimeout):
        return "no answer within the time limit"
    if isinstance(error, requests.exceptions.SSLError):
        return "the TLS certificate could not be verified"
    if isinstance(error, requests.ConnectionError):
        return "the connection was refused or the host is unknown"
    return type(error).__name__

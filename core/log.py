"""Structured logs: one JSON object per line on stdout, each carrying the id of the request it
belongs to, so the lines of one launch can be found across several app servers.

The request id comes from the proxy's `X-Request-ID` header when it is a plausible id, and is
made up otherwise; it is sent back in the response's `X-Request-ID` header, which gunicorn's
access log line (portal/gunicorn.conf.py) also reads.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Set to True in a request's WSGI environ (Django's request.META) by what answers it when its
# access line is not to be written: a scrape of the metrics every few seconds
# (portal/gunicorn.conf.py reads it).
ACCESS_LOG_SKIP = "neptun.access_log_skip"
_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)

# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


class RequestIdMiddleware:
    """Give every request an id (the proxy's, or a new one) for the log lines it causes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _PLAUSIBLE_ID.match(offered) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request id and the
    simple values passed in `extra`. Objects are left out rather than printed: Django passes
    the request itself, whose printed form would carry the query string (and with it an
    lti_message_hint) into the logs."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for name, value in record.__dict__.items():
            if name in _RECORD_ATTRIBUTES or name in entry:
                continue
            if value is None or isinstance(value, str | int | float | bool):
                entry[name] = value
            elif isinstance(value, HttpRequest):
                entry["method"] = value.method
                entry["path"] = value.path  # never the query string
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

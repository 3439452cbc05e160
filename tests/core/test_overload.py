"""core.overload: a request that waited in the app server's queue longer than its budget, by
nginx's X-Request-Start stamp, gets the translated 503 page with Retry-After before anything
reads the session or the database; a fresh one, one without a stamp or with a stamp that cannot
be true is served as always. (Under a real gunicorn: tests/faults/test_overload.py.)"""

import time

import pytest
from django.test import Client, RequestFactory

from core.overload import queue_seconds
from tests.metrics import Counted

TITLES = {"hu": "A portál most nagyon leterhelt", "en": "The portal is very busy"}


def stamped(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


@pytest.mark.parametrize("language", ["hu", "en"])
@pytest.mark.django_db
def test_a_request_that_waited_past_the_budget_gets_the_503_page_at_once(
    language, django_assert_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    with Counted() as counted, django_assert_num_queries(0):
        response = client.get("/sign-in/", HTTP_X_REQUEST_START=stamped(1.5))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert TITLES[language] in response.content.decode()
    assert "Content-Security-Policy" in response  # after the security headers' middleware
    assert counted.added() == {("neptun_overload_shed_responses_total", ()): 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stamp",
    [
        None,  # the app server asked directly: a probe, a test
        0.2,  # seconds ago: within the budget
        "t=not-a-time",
        "t=nan",
        "t=inf",
        3600,  # an hour: a wrong clock, not a queue
        -3600,  # from the future
        "t=" + "1" * 40,
    ],
    ids=["none", "fresh", "garbage", "nan", "inf", "an-hour-old", "future", "long"],
)
def test_a_fresh_missing_or_implausible_stamp_is_served(stamp):
    if isinstance(stamp, int | float):
        stamp = stamped(stamp)
    headers = {} if stamp is None else {"HTTP_X_REQUEST_START": stamp}
    assert Client().get("/sign-in/", **headers).status_code == 200


@pytest.mark.django_db
def test_with_the_budget_off_nothing_is_shed(settings):
    settings.QUEUE_TIME_BUDGET_MS = None
    assert Client().get("/sign-in/", HTTP_X_REQUEST_START=stamped(30)).status_code == 200


@pytest.mark.django_db
def test_the_budget_follows_the_setting(settings):
    settings.QUEUE_TIME_BUDGET_MS = 5000
    assert Client().get("/sign-in/", HTTP_X_REQUEST_START=stamped(3)).status_code == 200
    settings.QUEUE_TIME_BUDGET_MS = 100
    assert Client().get("/sign-in/", HTTP_X_REQUEST_START=stamped(0.5)).status_code == 503


@pytest.mark.django_db
def test_health_checks_and_static_files_are_never_shed():
    client = Client()
    old = stamped(10)
    assert client.get("/healthz", HTTP_X_REQUEST_START=old).status_code == 200
    response = client.get("/static/portal/portal.css", HTTP_X_REQUEST_START=old)
    assert response.status_code == 200
    response.close()


def test_the_stamp_is_read_as_nginx_writes_it():
    request = RequestFactory().get("/", HTTP_X_REQUEST_START="t=1765000000.250")
    assert queue_seconds(request, now=1765000001.0) == pytest.approx(0.75)
    request = RequestFactory().get("/", HTTP_X_REQUEST_START="1765000000.250")  # no `t=`
    assert queue_seconds(request, now=1765000001.0) == pytest.approx(0.75)
    # Clocks a few milliseconds apart: no negative wait.
    assert queue_seconds(request, now=1765000000.2) == 0.0

import pytest
from django.core.cache import cache
from django.utils import translation

from core import outbound
from panopto_link.lti_platform import keys
from tests.factories import LicenceFactory, RegistrationFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as `migrate` leaves it, less the first signing keys its post_migrate
    receiver created (keys.keys_ensure_after_migrate): each test starts without keys, as a
    flushed database does, and the tests of keys make theirs. That `migrate` creates them is
    tested on an empty database (tests/deploy/test_first_keys.py)."""
    from panopto_link.models import PlatformKey

    with django_db_blocker.unblock():
        PlatformKey.objects.all().delete()


@pytest.fixture(autouse=True)
def _clear_shared_cache():
    """Tests share one cache (Redis in the PostgreSQL pass): start each from an empty one, and
    without the key sets, signing key and fetch failures this process remembers from the
    previous test."""
    cache.clear()
    keys.forget_process_copies()
    outbound.forget_process_memory()
    yield
    cache.clear()
    keys.forget_process_copies()
    outbound.forget_process_memory()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Hungarian is the portal's default language. Code run outside a request (services,
    models, the policy) speaks the source language, English, in tests; page tests choose their
    language per request (Accept-Language or the language cookie), as browsers do."""
    with translation.override("en"):
        yield


@pytest.fixture
def licence(db):
    return LicenceFactory()


@pytest.fixture
def registration(db):
    return RegistrationFactory()


def pytest_terminal_summary(terminalreporter):
    """The robustness figures (tests/robustness_report.py): requests fuzzed, 5xx seen, races
    run, faults injected and what the user saw."""
    from tests.robustness_report import REPORT

    lines = REPORT.lines()
    if lines:
        terminalreporter.section("robustness")
        for line in lines:
            terminalreporter.write_line(line)

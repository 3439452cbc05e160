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
    from panopto_link.lti_platform.models import PlatformKey

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


# `make test-fast` leaves out what starts servers or processes, or rebuilds the database: the
# tests that use a live server or a transactional database are found by their fixtures; those
# that run manage.py, gunicorn or gettext in a process of their own are these modules.
PROCESS_MODULES = {
    "tests/panopto_link/simulator/test_left_out_in_production.py",
    "tests/portal/idp_simulator/test_left_out_in_production.py",
    "tests/portal/test_app_servers.py",
    "tests/portal/test_demo_cache.py",
    "tests/portal/test_first_keys.py",
    "tests/portal/test_metrics_workers.py",
    "tests/portal/test_production.py",
    "tests/portal/test_security_doc.py",
    "tests/portal/test_security_headers.py",
    "tests/portal/test_seed_demo.py",
    "tests/portal/test_sessions.py",
    "tests/portal/test_translations.py",
}
SERVER_FIXTURES = {"live_server", "transactional_db"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        database = item.get_closest_marker("django_db")
        if (
            SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
            or (database is not None and database.kwargs.get("transaction"))
            or item.nodeid.split("::")[0] in PROCESS_MODULES
        ):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    """The robustness figures (tests/robustness_report.py): requests fuzzed, 5xx seen, races
    run, faults injected and what the user saw."""
    from tests.robustness_report import REPORT

    lines = REPORT.lines()
    if lines:
        terminalreporter.section("robustness")
        for line in lines:
            terminalreporter.write_line(line)

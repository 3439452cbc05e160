import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import LicenceFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def _clear_shared_cache():
    """Tests share one cache (Redis in the PostgreSQL pass): start each from an empty one."""
    cache.clear()
    yield
    cache.clear()


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

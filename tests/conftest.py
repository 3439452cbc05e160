import pytest
from django.core.cache import cache

from tests.factories import LicenceFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def _clear_shared_cache():
    """Tests share one cache (Redis in the PostgreSQL pass): start each from an empty one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def licence(db):
    return LicenceFactory()


@pytest.fixture
def registration(db):
    return RegistrationFactory()

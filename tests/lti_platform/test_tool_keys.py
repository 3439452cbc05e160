"""The tool's key set while the shared cache is down: fetched once and kept in this process,
refetched at most once per pause for an unknown kid — forged tokens must not turn into a fetch
of the tool's key set each."""

import pytest
from pylti1p3.registration import Registration

from core import outbound, shared_cache
from panopto_link.lti_platform import tool_keys
from tests.core.test_shared_cache import BrokenCache
from tests.jwks_server import JwksServer
from tests.lti_tool import rsa_key_pair


@pytest.fixture
def cache_down(monkeypatch, settings):
    settings.SHARED_CACHE_RETRY_SECONDS = 60
    monkeypatch.setattr(shared_cache, "cache", BrokenCache())
    shared_cache.reset()
    outbound.forget_process_memory()
    yield
    shared_cache.reset()
    outbound.forget_process_memory()


def test_with_the_cache_down_forged_kids_cost_one_fetch_not_one_each(cache_down):
    server = JwksServer()
    try:
        jwk = Registration.get_jwk(rsa_key_pair()[1])
        server.document = {"keys": [jwk]}
        assert tool_keys.tool_public_key(server.url, jwk["kid"]) is not None
        for _ in range(5):
            assert tool_keys.tool_public_key(server.url, "forged") is None
        assert server.fetches == 2  # the key set once, one refetch for the first unknown kid
    finally:
        server.close()

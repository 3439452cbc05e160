"""`/metrics`: the portal's metrics (core/metrics.py) for the monitoring system, and for nobody
else.

Prometheus scrapes every app server on its own address (GUNICORN_BIND), as a load balancer
probes /readyz: through nginx it would reach one server of the upstream at random, so nginx
refuses the path (deploy/nginx/). A scrape is answered when it carries
`Authorization: Bearer <METRICS_BEARER_TOKEN>`, or comes from one of METRICS_ALLOWED_ADDRESSES
(loopback by default). Any other request for the path goes on through the stack, where the path
does not exist: the portal's 404 page, as for any unknown address.

Answered by the second middleware, after the health checks and before anything that could
refuse or redirect a scrape (ALLOWED_HOSTS, SECURE_SSL_REDIRECT): no session is read, nobody
signs in, no rate limit counts, and no access line is written per scrape (the environ flag
`core.log.ACCESS_LOG_SKIP`, read by portal/gunicorn.conf.py). Refused attempts are logged as
any 404 is. See docs/operations.md.
"""

import hmac
import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.log import ACCESS_LOG_SKIP
from core.metrics import exposition
from core.rate_limits import client_address

METRICS_PATH = "/metrics"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def _address_listed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a Unix socket's peer has no address
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.METRICS_ALLOWED_ADDRESSES)))


def _token_offered(request: HttpRequest) -> bool:
    token = settings.METRICS_BEARER_TOKEN
    if not token:
        return False
    scheme, _space, offered = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        offered.strip().encode(), token.encode()
    )


def scrape_allowed(request: HttpRequest) -> bool:
    """Whether this request may read the metrics: it carries the bearer token, or it comes from
    an allowed address. The address is the connection's own (REMOTE_ADDR), which no header
    changes. A request that came through a proxy (it carries X-Forwarded-For) is the proxy's
    connection — through nginx on the same host everyone is 127.0.0.1 — so it is allowed only
    when the client the trusted proxies name (TRUSTED_PROXY_HOPS) is listed too."""
    if _token_offered(request):
        return True
    if not _address_listed(request.META.get("REMOTE_ADDR", "")):
        return False
    if "HTTP_X_FORWARDED_FOR" not in request.META:
        return True
    return settings.TRUSTED_PROXY_HOPS > 0 and _address_listed(client_address(request))


class MetricsMiddleware:
    """Answers METRICS_PATH for the monitoring system (second in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != METRICS_PATH or not scrape_allowed(request):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(b"Method not allowed.\n", status=405, content_type="text/plain")
            response["Allow"] = "GET, HEAD"
            return response
        body, content_type = exposition(request.headers.get("Accept", ""))
        response = HttpResponse(body if request.method == "GET" else b"", content_type=content_type)
        response["Cache-Control"] = "no-store"
        request.META[ACCESS_LOG_SKIP] = True
        return response

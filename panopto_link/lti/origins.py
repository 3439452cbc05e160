"""Origins as RFC 6454 compares them (§4 "Origin of a URI", §6.2 its ASCII serialisation): the
scheme and the host without regard to case, and the scheme's default port the same as no port
(`https://Tool.example:443` is `https://tool.example`). The one place the portal says where a
URL lives; every comparison of a URL with the registered tool's site goes through `origin`.

Where a specification asks for an exact match — the registered redirect URIs (Security
Framework §5.1.1.2 via OpenID Connect Core §3.1.2.1, "exact string matching"), the issuer, the
target link URI a login names — nothing here is used: those are compared as strings.
Plain Python: no Django."""

from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def _parts(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, serialised as RFC 6454 §6.2 does: scheme and
    host in lower case, the default port left out; user information is not part of it. None
    for any other URL (another scheme, no host, a port that is not a number)."""
    parts = _parts(url) if isinstance(url, str) else None
    if parts is None:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""  # urlsplit gives the host in lower case
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def same_origin(first: str, second: str) -> bool:
    """Whether two URLs live at the same origin (two URLs without one never do)."""
    one = origin(first)
    return one is not None and one == origin(second)


def normalised_url(url: str) -> str:
    """A URL as it names a resource: its origin as above, the path (`/` when empty), the query
    as written, and no fragment (the browser's, never sent to the site). A URL without an
    http(s) origin is returned without its fragment only."""
    parts = _parts(url) if isinstance(url, str) else None
    if parts is None:
        return url.split("#", 1)[0]
    query = f"?{parts.query}" if parts.query else ""
    return f"{origin(url)}{parts.path or '/'}{query}"

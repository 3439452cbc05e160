"""Typed readers for environment variables, so every setting states its type and default."""

import os


def env_str(name: str, *, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, *, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def env_rate(name: str, *, default: str) -> tuple[int, int] | None:
    """A rate limit written `limit/seconds` (`30/60`: 30 per minute); `0` or `off` switches it
    off (None)."""
    value = os.environ.get(name, "").strip().lower() or default
    if value in {"0", "off"}:
        return None
    limit, _slash, window = value.partition("/")
    try:
        rate = (int(limit), int(window))
    except ValueError:
        rate = (0, 0)
    if rate[0] < 1 or rate[1] < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be limit/seconds (e.g. 30/60) or off.")
    return rate


def env_networks(name: str, *, default: str) -> list[str]:
    """Comma-separated IP addresses or networks (`10.0.0.30`, `10.0.8.0/24`, `::1`), each
    written as a network; `off` or `none` for none at all. A value that is neither stops the
    start-up."""
    import ipaddress

    value = os.environ.get(name, "").strip() or default
    if value.lower() in {"off", "none"}:
        return []
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (e.g. 10.0.0.30,10.0.8.0/24) or "
                f"be off, not {item!r}."
            ) from None
    return networks

"""Checks that a layer above the Panopto part adds to its configuration self-test (the eduID
sign-in's, issue 26): registered at start-up (portal.apps), so that panopto_link runs them
without importing the portal. A check takes the Panopto registration (or None) and returns a
result of the self-test, or None when it has nothing to say."""

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], Any]
_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def registered() -> tuple[Check, ...]:
    return tuple(_checks)

"""The elements of a space's Home screen that other apps contribute (the Panopto element, its
videos). This app does not know them: each registers a provider when it is ready
(`AppConfig.ready`), and the Home screen renders what the providers return, in order."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest

from virtualspaces.access import AccessibleSpace


@dataclass(frozen=True)
class HomeElement:
    """A template to include in the Home screen's main column, with its own context."""

    template: str
    context: dict = field(default_factory=dict)


HomeElementProvider = Callable[[HttpRequest, AccessibleSpace], list[HomeElement]]

_providers: list[HomeElementProvider] = []


def home_element_register(provider: HomeElementProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def home_elements(request: HttpRequest, space: AccessibleSpace) -> list[HomeElement]:
    """Every registered provider's elements for this space and user."""
    return [element for provider in _providers for element in provider(request, space)]

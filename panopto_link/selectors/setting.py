"""The institute-wide Panopto setting every decision starts from: the registration and whether
a licence covers today, read together once per request."""

from dataclasses import dataclass

from django.db.models import Exists
from django.http import HttpRequest
from django.utils import timezone

from panopto_link.models import (
    PanoptoLicence,
    PanoptoRegistration,
)
from panopto_link.permissions import (
    RegistrationFacts,
)


@dataclass(frozen=True)
class PanoptoSetting:
    """The institute-wide facts every decision starts from (one query)."""

    licence_valid: bool
    registration: PanoptoRegistration | None
    registration_facts: RegistrationFacts

    @property
    def opens_in_new_tab(self) -> bool:
        """Launch buttons open Panopto in a new tab (the registration says so)."""
        return bool(self.registration and self.registration.opens_in_new_tab)


def panopto_setting() -> PanoptoSetting:
    """The registration and whether a licence covers today, read together: one query on every
    page and launch step, so the licence dates are followed without a restart. The only place
    the licence is read."""
    valid_today = PanoptoLicence.objects.valid_on(timezone.localdate())
    registration = (
        PanoptoRegistration.objects.filter(pk=1)
        .annotate(licence_valid_today=Exists(valid_today))
        .first()
    )
    return setting_from(
        registration,
        registration.licence_valid_today if registration else valid_today.exists(),
    )


def setting_from(registration: PanoptoRegistration | None, licence_valid: bool) -> PanoptoSetting:
    facts = RegistrationFacts(
        is_enabled=bool(registration and registration.is_enabled),
        missing_fields=tuple(
            registration.missing_fields() if registration else PanoptoRegistration.REQUIRED_FIELDS
        ),
    )
    return PanoptoSetting(
        licence_valid=licence_valid, registration=registration, registration_facts=facts
    )


REQUEST_SETTING_ATTR = "_panopto_setting"


def request_panopto_setting(request: HttpRequest) -> PanoptoSetting:
    """The setting for this request, read the first time a page asks (never across requests,
    so a licence that starts or ends today takes effect without a restart)."""
    setting = getattr(request, REQUEST_SETTING_ATTR, None)
    if setting is None:
        setting = panopto_setting()
        setattr(request, REQUEST_SETTING_ATTR, setting)
    return setting


def request_panopto_setting_if_read(request: HttpRequest) -> PanoptoSetting | None:
    """The setting this request has read already, or None; never a query."""
    return getattr(request, REQUEST_SETTING_ATTR, None)

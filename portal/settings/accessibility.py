"""The accessibility statement's facts (portal/accessibility.py, the page /accessibility/,
docs/operations.md "The accessibility statement"), read from the environment. base.py imports
them all. The defaults are the demo's: a public body publishing the portal sets its own."""

import datetime

from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import env_str


def env_date(name: str, *, default: str) -> datetime.date:
    value = env_str(name, default=default).strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD), not {value!r}.") from None


# The body the statement speaks for (the model statement's "[name of the public sector body]"),
# in each of the portal's languages.
ACCESSIBILITY_INSTITUTION_HU = env_str("ACCESSIBILITY_INSTITUTION_HU", default="Demó Egyetem")
ACCESSIBILITY_INSTITUTION_EN = env_str("ACCESSIBILITY_INSTITUTION_EN", default="Demo University")
# Where people report what they cannot use or ask for content in an accessible form; the law
# gives the body 30 days to answer (30/2019. (IX. 4.) ITM rendelet).
ACCESSIBILITY_CONTACT_EMAIL = env_str(
    "ACCESSIBILITY_CONTACT_EMAIL", default="akadalymentesseg@egyetem.example"
)
# A postal address, and a telephone number, shown with the e-mail address where set.
ACCESSIBILITY_CONTACT_ADDRESS = env_str(
    "ACCESSIBILITY_CONTACT_ADDRESS", default="1111 Budapest, Példa utca 1."
)
ACCESSIBILITY_CONTACT_PHONE = env_str("ACCESSIBILITY_CONTACT_PHONE", default="")
# When the statement was first prepared, and when the portal was last assessed (the axe-core run
# of tests/browser/test_accessibility.py the statement's findings come from).
ACCESSIBILITY_STATEMENT_PREPARED = env_date(
    "ACCESSIBILITY_STATEMENT_PREPARED", default="2026-12-07"
)
ACCESSIBILITY_LAST_ASSESSED = env_date("ACCESSIBILITY_LAST_ASSESSED", default="2026-12-07")
# Where people turn when the answer is not satisfactory (the model statement's "enforcement
# procedure"): in Hungary the authority for equal treatment, whose duties the Commissioner for
# Fundamental Rights carries out since 1 January 2021. A lawyer of the institution confirms it.
ACCESSIBILITY_ENFORCEMENT_BODY_HU = env_str(
    "ACCESSIBILITY_ENFORCEMENT_BODY_HU", default="Alapvető Jogok Biztosának Hivatala"
)
ACCESSIBILITY_ENFORCEMENT_BODY_EN = env_str(
    "ACCESSIBILITY_ENFORCEMENT_BODY_EN",
    default="Office of the Commissioner for Fundamental Rights (Alapvető Jogok Biztosának "
    "Hivatala)",
)
ACCESSIBILITY_ENFORCEMENT_URL = env_str(
    "ACCESSIBILITY_ENFORCEMENT_URL", default="https://www.ajbh.hu/"
)

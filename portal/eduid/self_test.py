"""One identity from the portal to Panopto (issue 26, item 5): the Panopto self-test's check
that a person who signs in with eduID reaches Panopto over LTI under the username Panopto's own
SAML sign-in gives them, as PANOPTO_SAML_USERNAME says it is (Panopto joins the two accounts
only when the usernames match: ../shared/notes/eduid.md). Registered by portal.apps."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panopto_link.launch.sent import institutional_identifier
from panopto_link.lti_platform.api import CheckResult, Status
from panopto_link.permissions import identifier_released
from portal.eduid import config
from portal.eduid.identity import PERSISTENT_PREFIX
from portal.models import ExternalIdentity

SAMPLE = 500  # identities compared; a sample is enough to show a systematic difference


def _saml_username(identity: ExternalIdentity) -> str:
    """What Panopto's SAML sign-in would take as this person's username ("" unknown)."""
    if settings.PANOPTO_SAML_USERNAME == "neptun_code":
        return identity.user.neptun_code
    if identity.subject.startswith(PERSISTENT_PREFIX):
        return ""  # an opaque NameID: not what a Panopto username is made of
    return identity.subject


def check_one_identity_to_panopto(registration: Any) -> CheckResult | None:
    """WARN when the registration's institutional identifier would give eduID users another
    Panopto username than Panopto's SAML sign-in; None when there is nothing to compare."""
    if not settings.PANOPTO_SAML_USERNAME or not config.enabled() or registration is None:
        return None
    title = _("One Panopto account per person (eduID and LTI)")
    if not identifier_released(
        privacy_level=registration.privacy_level, identifier_kind=registration.identifier_kind
    ):
        return CheckResult(
            "one_identity",
            title,
            Status.WARN,
            _(
                "The registration's privacy level withholds the institutional identifier: "
                "Panopto cannot join a person's LTI account to their Panopto SAML account."
            ),
            _("Choose a privacy level that sends the identifier (docs/connecting-panopto.md)."),
        )
    identities = list(ExternalIdentity.objects.select_related("user").order_by("-pk")[:SAMPLE])
    compared = differing = 0
    example = ("", "")
    for identity in identities:
        expected = _saml_username(identity)
        if not expected:
            continue
        compared += 1
        sent = institutional_identifier(identity.user, registration.identifier_kind)
        if sent.lower() != expected.lower():
            differing += 1
            example = example if example[0] else (sent, expected)
    if not compared:
        return CheckResult(
            "one_identity",
            title,
            Status.PASS,
            _("Nobody has signed in with eduID yet: nothing to compare."),
        )
    if differing:
        return CheckResult(
            "one_identity",
            title,
            Status.WARN,
            ngettext(
                "%(differing)d of %(compared)d people who signed in with eduID would reach "
                "Panopto over LTI as another user than Panopto's SAML sign-in gives them (sent "
                "“%(sent)s”, Panopto's SAML username “%(expected)s”): they get two Panopto "
                "accounts.",
                "%(differing)d of %(compared)d people who signed in with eduID would reach "
                "Panopto over LTI as another user than Panopto's SAML sign-in gives them (sent "
                "“%(sent)s”, Panopto's SAML username “%(expected)s”): they get two Panopto "
                "accounts.",
                differing,
            )
            % {
                "differing": differing,
                "compared": compared,
                "sent": example[0],
                "expected": example[1],
            },
            _(
                "Make the registration's institutional identifier the value Panopto's SAML "
                "provider uses as the username, or set Panopto's username parameter override "
                "(docs/connecting-panopto.md, “One identity with Panopto's SAML sign-in”)."
            ),
        )
    return CheckResult(
        "one_identity",
        title,
        Status.PASS,
        _(
            "The %(compared)d people compared reach Panopto over LTI under their Panopto SAML "
            "username."
        )
        % {"compared": compared},
    )

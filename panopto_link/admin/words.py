"""What a launch sends, in words: on the registration's page, and on the platform's launch
records (registered with `lti_platform.admin.launch_words_register`)."""

from collections.abc import Collection, Mapping

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panopto_link.lti import claims
from panopto_link.lti.substitution import Variable, unknown_variables
from panopto_link.lti_platform.api import ContextName, launch_words_register
from panopto_link.models import (
    IdentifierKind,
    PanoptoFolder,
    PanoptoRegistration,
    PrivacyLevel,
)
from panopto_link.permissions import (
    PanoptoRole,
    variable_released,
)
from panopto_link.reasons import PanoptoReason

# --- what a launch sends, in words (the registration's page and the launch records) ----------

CLAIM_WORDS = {
    "name": _("full name"),
    "given_name": _("given name"),
    "family_name": _("family name"),
    "email": _("e-mail address"),
    "lis.person_sourcedid": _("institutional identifier (lis.person_sourcedid)"),
}
DOCUMENT_TARGET_WORDS = {
    "frame": _("Panopto opens in the same window."),
    "window": _("Panopto opens in a new tab."),
    "iframe": _("Panopto opens embedded in the page."),
}


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def sent_in_words(sent: Mapping | None) -> str:
    """A launch record's `sent` (or a registration's preview of it) in words: the privacy
    level, the personal data, the identifier, the custom parameters' keys, where Panopto
    opens. Nothing for a record that kept none (a refusal, a previous release's row)."""
    if not sent:
        return ""
    tool = sent.get("tool") or {}
    parts = []
    if tool.get("privacy_level"):
        parts.append(
            gettext("Privacy level: %(level)s.")
            % {"level": _choice_label(PrivacyLevel, tool["privacy_level"])}
        )
    sent_claims = list(sent.get("claims") or [])
    if sent_claims:
        parts.append(
            gettext("Personal data: %(claims)s.")
            % {"claims": ", ".join(str(CLAIM_WORDS.get(c, c)) for c in sent_claims)}
        )
    else:
        parts.append(gettext("Personal data: none, only the opaque user id and the roles."))
    if "lis.person_sourcedid" in sent_claims and tool.get("identifier_kind"):
        kind = _choice_label(IdentifierKind, tool["identifier_kind"])
        parameter = tool.get("identifier_parameter")
        if parameter:
            parts.append(
                gettext(
                    "Identifier: %(kind)s, as lis.person_sourcedid and as the custom parameter "
                    "“%(parameter)s”."
                )
                % {"kind": kind, "parameter": parameter}
            )
        else:
            parts.append(gettext("Identifier: %(kind)s, as lis.person_sourcedid.") % {"kind": kind})
    custom = list(sent.get("custom") or [])
    if custom:
        parts.append(gettext("Custom parameters: %(keys)s.") % {"keys": ", ".join(custom)})
    else:
        parts.append(gettext("Custom parameters: none."))
    if tool.get("dropped_custom_keys"):
        parts.append(
            gettext(
                "Left out of the video's custom parameters (keys content may not set): %(keys)s."
            )
            % {"keys": tool["dropped_custom_keys"].replace(",", ", ")}
        )
    target = sent.get("document_target")
    if target in DOCUMENT_TARGET_WORDS:
        parts.append(str(DOCUMENT_TARGET_WORDS[target]))
    return " ".join(parts)


def custom_parameter_warnings(registration: PanoptoRegistration) -> list[str]:
    """What the administrator should know of the custom parameters before a launch sends them:
    variables this portal does not know, and variables the privacy level withholds — both are
    sent as written."""
    values = [value for _key, value in registration.custom_parameter_items()]
    warnings = []
    unknown = unknown_variables(values)
    if unknown:
        warnings.append(
            gettext(
                "Not a variable this portal knows, so it is sent as written (variable names are "
                "case-sensitive): %(variables)s."
            )
            % {"variables": ", ".join(unknown)}
        )
    withheld = [
        variable.value
        for variable in Variable
        if variable.value in values
        and not variable_released(
            variable,
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
    ]
    if withheld:
        warnings.append(
            gettext(
                "The privacy level withholds what these variables stand for, so they are sent "
                "as written: %(variables)s."
            )
            % {"variables": ", ".join(withheld)}
        )
    return warnings


class PanoptoLaunchWords:
    """Panopto's words on the platform's launch records: the roles as Panopto names them, and
    what a launch sent (`sent_in_words`)."""

    ROLES = {
        claims.ROLE_INSTRUCTOR: PanoptoRole.CREATOR.label,
        claims.ROLE_LEARNER: PanoptoRole.VIEWER.label,
    }

    def role(self, role: str) -> str | None:
        word = self.ROLES.get(role)
        return str(word) if word else None

    def sent(self, sent: Mapping) -> str:
        return sent_in_words(sent)

    def reason(self, code: str) -> str | None:
        try:
            return str(REASON_LABELS[PanoptoReason(code)])
        except ValueError:
            return None

    def contexts(self, context_ids: Collection[str]) -> dict[str, ContextName]:
        """Each context id's folder, by the code of the space that owns it: one query."""
        ids = [context_id for context_id in context_ids if context_id]
        if not ids:
            return {}
        return {
            folder.context_id: ContextName(label=folder.space.code, owner_space_id=folder.space_id)
            for folder in PanoptoFolder.objects.filter(context_id__in=ids).select_related("space")
        }


# The policy's refusal reasons on the launch records, in words (a test checks every member has
# them, and the Hungarian catalogue that each is translated).
REASON_LABELS: dict[PanoptoReason, Promise] = {
    PanoptoReason.NO_LICENCE: _("no valid licence"),
    PanoptoReason.NOT_VISIBLE: _("space not available to the user"),
    PanoptoReason.REGISTRATION_INCOMPLETE: _("Panopto registration incomplete"),
    PanoptoReason.FOLDER_DISABLED: _("folder switched off"),
    PanoptoReason.CONTEXT_NOT_CREATED: _("folder not yet opened by its administrator"),
    PanoptoReason.CONTEXT_MISSING_IN_PANOPTO: _("folder not created in Panopto"),
    PanoptoReason.NOT_VIDEO_PICKER: _("only the space's administrator adds videos"),
    PanoptoReason.PICKER_BEFORE_CONTEXT: _("videos picked before the folder was opened"),
    PanoptoReason.VIDEO_REMOVED: _("video link removed"),
    PanoptoReason.VIDEO_REFUSED: _("video cannot be opened now"),
    PanoptoReason.IDENTIFIER_MISSING: _("the user has no institutional identifier to send"),
}


launch_words_register(PanoptoLaunchWords())

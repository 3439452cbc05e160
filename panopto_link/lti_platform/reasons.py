"""Each protocol `Reason` of a launch record in words, for the admin (a test checks that every
member has a label, and the Hungarian catalogue that every label is translated); a tool's own
reasons are in its words (`tools.LaunchWords.reason`)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panopto_link.lti.reasons import Reason
from panopto_link.lti_platform.tools import launch_words_registered

REASON_LABELS: dict[Reason, Promise] = {
    Reason.CONTEXT_CREATION: _("first launch: creates the folder"),
    Reason.CONTEXT_CREATED: _("folder created"),
    Reason.VIDEOS_ADDED: _("videos linked"),
    Reason.CLIENT_MISSING: _("client id missing"),
    Reason.CLIENT_UNKNOWN: _("client unknown or disabled"),
    Reason.REDIRECT_URI_MISSING: _("redirect URI missing"),
    Reason.REDIRECT_URI_UNREGISTERED: _("redirect URI not registered"),
    Reason.PARAMETER_REPEATED: _("parameter repeated"),
    Reason.PARAMETER_TOO_LONG: _("parameter too long"),
    Reason.BAD_SCOPE: _("wrong scope"),
    Reason.BAD_RESPONSE_TYPE: _("wrong response type"),
    Reason.BAD_RESPONSE_MODE: _("wrong response mode"),
    Reason.BAD_PROMPT: _("wrong prompt"),
    Reason.PARAMETER_MISSING: _("parameter missing"),
    Reason.NOT_SIGNED_IN: _("nobody signed in"),
    Reason.LOGIN_HINT_MISMATCH: _("another user signed in"),
    Reason.HINT_INVALID: _("message hint not valid"),
    Reason.HINT_EXPIRED: _("message hint expired"),
    Reason.HINT_REPLAYED: _("message hint used again"),
    Reason.HINT_OTHER_CLIENT: _("message hint of another client"),
    Reason.HINT_OTHER_USER: _("message hint of another user"),
    Reason.HINT_OTHER_DEPLOYMENT: _("deployment changed"),
    Reason.ROLE_CHANGED: _("role changed since the click"),
    Reason.TARGET_CHANGED: _("target changed since the click"),
    Reason.BAD_MESSAGE_TYPE: _("message type not supported"),
    Reason.NOT_CONFIGURED: _("registration incomplete"),
    Reason.USER_INACTIVE: _("user no longer active"),
    Reason.TOOL_KEYS_UNAVAILABLE: _("Panopto's keys unavailable"),
    Reason.MALFORMED: _("malformed answer"),
    Reason.BAD_ALGORITHM: _("wrong signature algorithm"),
    Reason.NO_KID: _("no key id"),
    Reason.UNKNOWN_KID: _("unknown key id"),
    Reason.BAD_SIGNATURE: _("signature not valid"),
    Reason.EXPIRED: _("answer expired"),
    Reason.NOT_YET_VALID: _("answer dated in the future"),
    Reason.TOO_OLD: _("answer too old"),
    Reason.WRONG_AUDIENCE: _("answer not addressed to the portal"),
    Reason.WRONG_ISSUER: _("answer not from the registered client"),
    Reason.MISSING_CLAIM: _("answer lacks a required claim"),
    Reason.WRONG_DEPLOYMENT: _("answer of another deployment"),
    Reason.WRONG_MESSAGE_TYPE: _("answer of the wrong type"),
    Reason.WRONG_VERSION: _("answer of the wrong LTI version"),
    Reason.BAD_ITEMS: _("returned items malformed"),
    Reason.WRONG_DATA: _("data value not the portal's"),
    Reason.DATA_EXPIRED: _("data value expired"),
    Reason.DATA_REPLAYED: _("answer used again"),
    Reason.NONCE_REPLAYED: _("nonce used again"),
    Reason.FLOOD: _("anonymous refusals beyond the limit"),
}


def reason_label(code: str) -> str:
    """The words for a stored reason code: the protocol's here, a tool's in the words it
    registered (`tools.launch_words_register`); the code itself when nobody knows it."""
    try:
        return str(REASON_LABELS[Reason(code)])
    except ValueError:
        pass
    for words in launch_words_registered():
        said = words.reason(code)
        if said:
            return said
    return code

"""Why a launch step was refused by the protocol, or what it did: the protocol's part of the
launch records' vocabulary (issue 22).

A tool's part refuses for reasons of its own, in an enum of its own (Panopto's SPEC §3 policy:
`panopto_link.reasons.PanoptoReason`); a launch record stores either kind's value, and the
admin shows each in words (`panopto_link.lti_platform.reasons` for these, the tool's words for
its own; a test checks that every member of both has them). Plain Python.
"""

from enum import StrEnum


class Reason(StrEnum):
    # --- what an accepted step did ------------------------------------------------------------
    CONTEXT_CREATION = "context_creation"  # the click that will create the folder's context
    CONTEXT_CREATED = "context_created"  # the authorization that created it
    VIDEOS_ADDED = "videos_added"  # a deep-linking return linked videos (detail: how many)

    # --- the authorization request (LTI Security Framework §5.1.1, OIDC Core §3.1.2) ---------
    # The client or redirect URI cannot be trusted: an error page, nothing posted.
    CLIENT_MISSING = "client_missing"
    CLIENT_UNKNOWN = "unauthorized_client"
    REDIRECT_URI_MISSING = "redirect_uri_missing"
    REDIRECT_URI_UNREGISTERED = "redirect_uri_unregistered"
    PARAMETER_REPEATED = "parameter_repeated"
    PARAMETER_TOO_LONG = "parameter_too_long"
    # Posted back to the tool.
    BAD_SCOPE = "invalid_scope"
    BAD_RESPONSE_TYPE = "unsupported_response_type"
    BAD_RESPONSE_MODE = "bad_response_mode"
    BAD_PROMPT = "bad_prompt"
    PARAMETER_MISSING = "parameter_missing"
    NOT_SIGNED_IN = "not_signed_in"
    LOGIN_HINT_MISMATCH = "login_hint_mismatch"
    HINT_INVALID = "hint_invalid"
    HINT_EXPIRED = "hint_expired"
    HINT_REPLAYED = "hint_replayed"
    HINT_OTHER_CLIENT = "hint_other_client"
    HINT_OTHER_USER = "hint_other_user"
    HINT_OTHER_DEPLOYMENT = "hint_other_deployment"
    ROLE_CHANGED = "role_changed"
    TARGET_CHANGED = "target_changed"
    BAD_MESSAGE_TYPE = "bad_message_type"

    # --- the deep-linking response (Deep Linking 2.0 §4.5) -----------------------------------
    NOT_CONFIGURED = "not_configured"
    USER_INACTIVE = "user_inactive"
    TOOL_KEYS_UNAVAILABLE = "tool_keys_unavailable"
    MALFORMED = "malformed"
    BAD_ALGORITHM = "bad_algorithm"
    NO_KID = "no_kid"
    UNKNOWN_KID = "unknown_kid"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    TOO_OLD = "too_old"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    MISSING_CLAIM = "missing_claim"
    WRONG_DEPLOYMENT = "wrong_deployment"
    WRONG_MESSAGE_TYPE = "wrong_message_type"
    WRONG_VERSION = "wrong_version"
    BAD_ITEMS = "bad_items"
    WRONG_DATA = "wrong_data"
    DATA_EXPIRED = "data_expired"
    DATA_REPLAYED = "data_replayed"
    NONCE_REPLAYED = "nonce_replayed"

    # --- anonymous refusals beyond their limit (docs/decisions) ------------------------------
    FLOOD = "flood"

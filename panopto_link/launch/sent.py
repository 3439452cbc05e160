"""What a launch sends Panopto: the person as the registration releases them (issue 12), the
custom claim with its substitution variables, where Panopto opens, and the preview of it all
the registration's admin page shows."""

import json
from collections.abc import Mapping
from typing import Any

from core.users import PortalUser
from panopto_link.launch.kinds import LaunchKind
from panopto_link.lti import claims
from panopto_link.lti.messages import Context, LaunchUser, personal_claims
from panopto_link.lti.substitution import Variable, key_problem, substitute
from panopto_link.models import (
    LINKED_FOLDERS_PARAMETER,
    IdentifierKind,
    PanoptoRegistration,
)
from panopto_link.permissions import (
    content_reserved_keys,
    identifier_released,
    names_linked_folder,
    released_personal_data,
    variable_released,
)
from panopto_link.reasons import PersonalData
from panopto_link.selectors import (
    FolderEntry,
    SpacePanopto,
)

# --- who the user is to Panopto (issue 12) ---------------------------------------------------


def institutional_identifier(user: PortalUser, identifier_kind: str) -> str:
    """The user's value of the registration's institutional identifier ("" when missing)."""
    if identifier_kind == IdentifierKind.EMAIL:
        return user.email or ""
    if identifier_kind == IdentifierKind.NEPTUN_CODE:
        return user.neptun_code or ""
    return user.get_username()


def launch_user(user: PortalUser, registration: PanoptoRegistration) -> LaunchUser:
    """The user as Panopto sees them: the opaque `sub` always; name, e-mail address and the
    institutional identifier as the privacy level releases them (`permissions`). `name` is the
    full name "ordered according to the End-User's locale" (OIDC Core §5.1): in the order of the
    language the launch sends as `locale` (`core.names`: Kovács Hanna in Hungarian), as Moodle
    orders its full name by the language; `given_name` and `family_name` carry the two parts,
    which is what a tool that keeps them apart (Panopto: FirstName, LastName) reads."""
    released = released_personal_data(registration.privacy_level)
    send_name = PersonalData.NAME in released
    send_email = PersonalData.EMAIL in released
    sends_identifier = identifier_released(
        privacy_level=registration.privacy_level, identifier_kind=registration.identifier_kind
    )
    identifier = institutional_identifier(user, registration.identifier_kind)
    return LaunchUser(
        sub=str(user.lti_subject),
        name=(user.get_full_name() or None) if send_name else None,
        given_name=(user.first_name or None) if send_name else None,
        family_name=(user.last_name or None) if send_name else None,
        email=(user.email or None) if send_email else None,
        person_sourcedid=(identifier or None) if sends_identifier else None,
    )


def substitution_values(
    user: PortalUser,
    registration: PanoptoRegistration,
    sent: LaunchUser,
    *,
    context: Context,
    section_code: str,
    resource_link_id: str,
    resource_link_title: str,
) -> dict[Variable, str]:
    """The value of every variable this launch can substitute: those the privacy level
    releases (`permissions.variable_released`), and the resource link's only when the
    message names one. Any other variable is sent as written."""
    values = {
        Variable.USER_ID: sent.sub,
        Variable.USER_USERNAME: user.get_username(),
        Variable.PERSON_NAME_FULL: user.get_full_name(),
        Variable.PERSON_NAME_GIVEN: user.first_name,
        Variable.PERSON_NAME_FAMILY: user.last_name,
        Variable.PERSON_EMAIL_PRIMARY: user.email,
        Variable.CONTEXT_ID: context.id,
        Variable.CONTEXT_TITLE: context.title,
        Variable.CONTEXT_LABEL: context.label,
        Variable.COURSE_SECTION_SOURCED_ID: section_code,
    }
    if sent.person_sourcedid:
        values[Variable.PERSON_SOURCED_ID] = sent.person_sourcedid
    if resource_link_id:
        values[Variable.RESOURCE_LINK_ID] = resource_link_id
        values[Variable.RESOURCE_LINK_TITLE] = resource_link_title
    return {
        variable: value
        for variable, value in values.items()
        if variable_released(
            variable,
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
    }


def item_custom_sent(
    registration: PanoptoRegistration, item_custom: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """A video's custom map as its launch sends it: unchanged (Panopto's own parameters such
    as `use_panopto_sandbox` reach it as the tool returned them), but for the keys content may
    never set (`permissions.content_reserved_keys`) and keys that break the key rule. The
    deep-linking return refuses such items; a link stored before it did loses them here, and
    the launch record names them. Returns the map sent and the keys dropped, sorted."""
    reserved = content_reserved_keys(identifier_parameter=registration.identifier_parameter)
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for key, value in item_custom.items():
        if isinstance(key, str) and key_problem(key, reserved=reserved) is None:
            kept[key] = str(value)
        else:
            dropped.append(str(key))
    return kept, sorted(dropped)


def custom_claim(
    registration: PanoptoRegistration,
    sent: LaunchUser,
    values: Mapping[Variable, str],
    *,
    item_custom: Mapping[str, str] | None = None,
    own: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The custom claim (LTI Core §5.4.6), in one map: the registration's custom parameters,
    then a video's own (Deep Linking 2.0 §3.4.1: its variables substituted as well; the keys
    content may not set left out, `item_custom_sent`), then the identifier's parameter — which
    content cannot set, since Panopto matches accounts on it — and the portal's own
    parameters (`linked_folders`), which always win."""
    custom = substitute(registration.custom_parameter_items(), values)
    if item_custom:
        kept, _dropped = item_custom_sent(registration, item_custom)
        custom |= substitute(kept.items(), values)
    if registration.identifier_parameter:
        if sent.person_sourcedid:
            custom[registration.identifier_parameter] = sent.person_sourcedid
        else:  # withheld by the privacy level: never a stale value from the content
            custom.pop(registration.identifier_parameter, None)
    return custom | dict(own or {})


def audit_facts(registration: PanoptoRegistration) -> dict[str, str]:
    """What the launch record keeps of the registration's choices besides the claims sent."""
    return {
        "privacy_level": registration.privacy_level,
        "identifier_kind": registration.identifier_kind,
        "identifier_parameter": registration.identifier_parameter,
    }


def document_target(registration: PanoptoRegistration, kind: LaunchKind) -> str:
    """Where the portal opens the launch (LTI Core §5.4.4): a new tab ("window") when the
    registration says so, else in place of the portal's page ("frame"). The content picker
    always opens in place: it comes back to the portal's page when the choice is made."""
    if kind is not LaunchKind.PICKER and registration.opens_in_new_tab:
        return claims.DOCUMENT_TARGET_WINDOW
    return claims.DOCUMENT_TARGET_FRAME


def sent_preview(registration: PanoptoRegistration) -> dict[str, Any]:
    """What a launch sends under the registration's settings, in the shape of a launch
    record's `sent`, for the admin to show before anyone launches: the personal claims of a
    user who has every value."""
    released = released_personal_data(registration.privacy_level)
    sample = LaunchUser(
        sub="-",
        name="-" if PersonalData.NAME in released else None,
        given_name="-" if PersonalData.NAME in released else None,
        family_name="-" if PersonalData.NAME in released else None,
        email="-" if PersonalData.EMAIL in released else None,
        person_sourcedid="-"
        if identifier_released(
            privacy_level=registration.privacy_level,
            identifier_kind=registration.identifier_kind,
        )
        else None,
    )
    custom = [key for key, _value in registration.custom_parameter_items()]
    if registration.identifier_parameter and sample.person_sourcedid:
        custom.append(registration.identifier_parameter)
    return {
        "claims": list(personal_claims(sample)),
        "custom": sorted(custom),
        "document_target": document_target(registration, LaunchKind.FOLDER),
        "tool": audit_facts(registration),
    }


def linked_folders_custom(target: SpacePanopto, entry: FolderEntry) -> dict[str, str]:
    """The custom claim of a dashboard launch: the course's linked folders the user may enter
    now (SPEC §3), so the tool can show them beside the course's own."""
    launches_own_folder = entry.owner.pk == target.space.pk
    linked = [
        {
            "context_id": linked.folder.context_id,
            "label": linked.owner.code,
            "title": linked.owner.name,
            "role": str(linked.decision.role),
        }
        for linked in target.linked
        if linked.folder is not None
        and names_linked_folder(launches_own_folder=launches_own_folder, linked=linked.decision)
    ]
    return {LINKED_FOLDERS_PARAMETER: json.dumps(linked, ensure_ascii=False)} if linked else {}

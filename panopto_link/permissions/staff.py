"""What IT and the helpdesk may do with the Panopto connection: run the registration's
self-test or see its last report (issue 20), read IT's "why can (or can't) X see Y?" page and
queue access jobs from the admin (issue 24), and the helpdesk group's permission set (issue 25
item 11).

Pure functions and constants: no queries, no request.
"""

from dataclasses import dataclass

# --- the registration's self-test (issue 20) -------------------------------------------------


@dataclass(frozen=True)
class SelfTestAccess:
    may_run: bool  # the outbound probes to Panopto and to the portal's own URLs
    sees_last_report: bool


def self_test_access(
    *, may_view_registration: bool, may_change_registration: bool
) -> SelfTestAccess:
    """Running the self-test makes outbound requests, so it takes the right to change the
    registration (the staff who act on what it finds); staff who may only view the registration
    see the last report, if one was kept."""
    return SelfTestAccess(
        may_run=may_change_registration,
        sees_last_report=may_view_registration or may_change_registration,
    )


# --- IT's "why" page and the access jobs (issue 24) ------------------------------------------


def may_explain_access(*, is_staff: bool, has_permission: bool) -> bool:
    """IT's "why can (or can't) X see Y?" page and its actions (revoke now, re-check): staff
    who may view Panopto access jobs (`panopto_link.view_accessjob`) — the page shows a
    person's memberships and launches."""
    return is_staff and has_permission


def may_act_on_access(*, is_staff: bool, has_permission: bool) -> bool:
    """Queueing a job from the admin (retry, revoke now, re-check): staff who may change Panopto
    access jobs (`panopto_link.change_accessjob`)."""
    return is_staff and has_permission


# --- the helpdesk (issue 25 item 11) ---------------------------------------------------------

HELPDESK_GROUP = "Helpdesk"

# What the helpdesk staff (staff, not superusers) may do in the admin: read what answers "why
# can (or can't) X get into Y?" and put a missing person into a space (add or change a
# membership). Not theirs: ending memberships (it takes Panopto access back; a CSV replace needs
# it too), the registration's settings and self-test (outbound calls), the licence, the signing
# keys (never even seen), the people's accounts (docs/operations.md, "The helpdesk").
HELPDESK_PERMISSIONS: tuple[str, ...] = (
    "portal.view_user",
    "virtualspaces.view_virtualspace",
    "virtualspaces.view_membership",
    "virtualspaces.add_membership",
    "virtualspaces.change_membership",
    "panopto_link.view_panoptofolder",
    "panopto_link.view_folderlink",
    "panopto_link.view_videolink",
    "panopto_link.view_panoptolicence",
    "panopto_link.view_panoptoregistration",
    "lti_platform.view_launchrecord",
    "panopto_link.view_accessjob",  # the jobs and the why page; acting on them is IT's
)


def helpdesk_permissions() -> tuple[str, ...]:
    """The Django permissions ("app_label.codename") of the helpdesk group."""
    return HELPDESK_PERMISSIONS
